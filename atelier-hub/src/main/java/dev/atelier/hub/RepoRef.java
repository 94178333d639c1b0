package dev.atelier.hub;

import dev.atelier.core.AtelierException;
import java.util.regex.Pattern;

/**
 * A model repository on the hub at a revision (branch, tag or commit sha): {@code ORG/NAME[@REVISION]}.
 */
public record RepoRef(String repoId, String revision) {
    public static final String DEFAULT_REVISION = "main";
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][\\w.-]*(/[\\w.-]+)?");
    private static final Pattern COMMIT_SHA = Pattern.compile("[0-9a-f]{40}");

    public RepoRef {
        if (repoId == null || !REPO_ID.matcher(repoId).matches() || repoId.contains("--") || repoId.contains("..")) {
            throw new AtelierException("'" + repoId + "' is not a hub repository id; write it as ORG/NAME, "
                    + "e.g. onnxruntime/sd-turbo (optionally @REVISION).");
        }
        if (revision == null || revision.isBlank()) revision = DEFAULT_REVISION;
    }

    /** Parses {@code ORG/NAME[@REVISION]}. */
    public static RepoRef parse(String text) {
        String s = text.strip();
        int at = s.indexOf('@');
        return at < 0 ? new RepoRef(s, DEFAULT_REVISION) : new RepoRef(s.substring(0, at), s.substring(at + 1));
    }

    /** True when the text has the shape of {@code ORG/NAME[@REVISION]} (no local-path look-alikes). */
    public static boolean looksLikeRepoId(String text) {
        String s = text.strip();
        int at = s.indexOf('@');
        String id = at < 0 ? s : s.substring(0, at);
        return id.indexOf('/') > 0 && REPO_ID.matcher(id).matches() && !id.contains("--") && !id.contains("..");
    }

    public static boolean isCommitSha(String revision) {
        return COMMIT_SHA.matcher(revision).matches();
    }

    /** The cache folder name, as huggingface_hub spells it: {@code models--ORG--NAME}. */
    public String cacheFolderName() { return cacheFolderName(repoId); }

    public static String cacheFolderName(String repoId) { return "models--" + repoId.replace("/", "--"); }

    @Override
    public String toString() { return revision.equals(DEFAULT_REVISION) ? repoId : repoId + "@" + revision; }
}
