package dev.atelier.hub;

/**
 * Whether a model that is not in the cache may be downloaded when it is first used. The plan (files and exact size)
 * is shown to {@link #approve} before anything is fetched.
 */
public interface PullConsent {
    /** False means: do not even ask the hub; fail with the command to run instead. */
    default boolean mayPull() { return true; }

    /** Called with the plan; return true to download it. */
    boolean approve(String spec, PullPlan plan);

    /** Never download on use (the default for commands without {@code --pull}). */
    PullConsent NEVER = new PullConsent() {
        @Override public boolean mayPull() { return false; }
        @Override public boolean approve(String spec, PullPlan plan) { return false; }
    };

    /** Download without asking ({@code --pull}). */
    PullConsent ALWAYS = (spec, plan) -> true;
}
