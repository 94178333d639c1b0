package dev.atelier.hub;

import java.util.List;

/**
 * A short name for a known-good model: exact repository, revision and the files Atelier needs.
 *
 * @param name         what users type (e.g. {@code sd15})
 * @param kind         {@code diffusion} (an ONNX pipeline folder), {@code gguf} (one language-model file) or
 *                     {@code clip} (a CLIP ONNX export folder)
 * @param description  one line for {@code atelier models presets}
 * @param repo         ORG/NAME on the hub
 * @param revision     a commit sha where known (pinned), else a branch
 * @param include      file patterns to pull
 * @param entry        for single-file models, the file to hand to the caller; null for folders
 * @param approxBytes  approximate download size, shown before anything is fetched
 */
public record Preset(String name, String kind, String description, String repo, String revision,
                     List<String> include, String entry, long approxBytes) {
    public Preset {
        include = include == null ? List.of() : List.copyOf(include);
    }

    public RepoRef ref() { return new RepoRef(repo, revision); }

    public GlobFilter includeFilter() { return new GlobFilter(include); }

    public boolean pinned() { return RepoRef.isCommitSha(revision); }
}
