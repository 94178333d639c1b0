package dev.atelier.hub;

import dev.atelier.core.AtelierException;
import java.io.IOException;
import java.net.http.HttpHeaders;

/** Turns hub answers and network failures into messages that say what to do. */
final class HubErrors {
    private HubErrors() {}

    static AtelierException forStatus(int status, HttpHeaders headers, HubSettings settings,
                                      String repoId, String revision, String path) {
        String code = headers.firstValue("X-Error-Code").orElse("");
        String page = settings.endpoint() + "/" + repoId;
        String what = path == null ? repoId : path + " in " + repoId + "@" + revision;
        if (code.equals("GatedRepo") || status == 403) {
            String tokenAdvice = settings.token().isPresent()
                    ? "The token in HF_TOKEN does not have access yet: accept the licence with the same account "
                      + "that created the token (or create a new token with read access)."
                    : "No HF_TOKEN is set: create a read token at " + settings.endpoint()
                      + "/settings/tokens and set HF_TOKEN to it.";
            return new AtelierException(repoId + " is a gated model (HTTP " + status + "): open " + page
                    + ", log in and accept its licence. " + tokenAdvice);
        }
        if (code.equals("RevisionNotFound")) {
            return new AtelierException("Revision '" + revision + "' does not exist in " + repoId + " (HTTP " + status
                    + "): check the branch, tag or commit sha after '@' (see " + page + "/tree/main).");
        }
        if (code.equals("EntryNotFound")) {
            return new AtelierException("File " + path + " is not in " + repoId + "@" + revision + " (HTTP " + status
                    + "): check the file name or the --include pattern.");
        }
        if (code.equals("RepoNotFound") || status == 404) {
            return new AtelierException("Repository " + repoId + " was not found on " + settings.endpoint() + " (HTTP "
                    + status + "): check the repo id (ORG/NAME, case matters) and the revision; "
                    + "`atelier models presets` lists known-good models.");
        }
        if (status == 401) {
            return new AtelierException("The hub refused access to " + what + " (HTTP 401): the repository is private "
                    + "or gated, or does not exist. Check the repo id; if it is gated, accept its licence on " + page
                    + " and set HF_TOKEN to a read token"
                    + (settings.token().isPresent() ? " (the current HF_TOKEN was rejected)." : "."));
        }
        if (status == 416) {
            return new AtelierException("The hub rejected resuming " + what + " (HTTP 416); run the pull again to "
                    + "restart that file.");
        }
        if (status == 429) {
            return new AtelierException("The hub is rate-limiting requests (HTTP 429) for " + what
                    + "; wait a few minutes and run the same command again (finished files are kept).");
        }
        return new AtelierException("The hub answered HTTP " + status + " for " + what + " at " + settings.endpoint()
                + "; try again later (finished files are kept).");
    }

    static AtelierException network(HubSettings settings, String what, IOException e) {
        return new AtelierException("Cannot reach the hub at " + settings.endpoint() + " while fetching " + what + " ("
                + describe(e) + "). Check the network connection or HF_ENDPOINT; set HF_HUB_OFFLINE=1 to use only "
                + "models already in the cache.", e);
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }
}
