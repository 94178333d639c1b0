package dev.atelier.hub;

import java.util.List;

/** The files of a repository at one commit, from {@code /api/models/{repo}/revision/{rev}}. */
public record RepoListing(String repoId, String commit, List<String> files) {}
