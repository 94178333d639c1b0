package dev.atelier.diffusion.pipeline;

import java.util.List;

/**
 * Classifier-free guidance over the batch [unconditional, conditional] (with its rescale), or the conditional
 * prediction alone when guidance is off.
 */
final class ClassifierFreeGuidance implements Guidance {
    private final List<Entry> entries;
    private final double scale;
    private final double rescale;

    private ClassifierFreeGuidance(List<Entry> entries, double scale, double rescale) {
        this.entries = entries;
        this.scale = scale;
        this.rescale = rescale;
    }

    /** Guided: the batch [uncond, cond], both of one chunk count. */
    static ClassifierFreeGuidance guided(PromptEncoder.Encoded uncond, PromptEncoder.Encoded cond, double scale,
                                         double rescale) {
        return new ClassifierFreeGuidance(List.of(Entry.of(uncond), Entry.of(cond)), scale, rescale);
    }

    /** Guidance off: the conditional prediction as it is. */
    static ClassifierFreeGuidance off(PromptEncoder.Encoded cond) {
        return new ClassifierFreeGuidance(List.of(Entry.of(cond)), 1, 0);
    }

    @Override
    public List<Entry> entries() { return entries; }

    @Override
    public void combineInto(float[] predictions, int sampleLength, float[] guided) {
        if (entries.size() == 1) System.arraycopy(predictions, 0, guided, 0, sampleLength);
        else Guidance.combineBatched(predictions, 0, sampleLength, scale, rescale, guided);
    }
}
