package dev.atelier.diffusion.pipeline;

import java.util.List;

/**
 * InstructPix2Pix's three-way guidance over the batch (instruction, image), (negative, image), (negative, no image):
 * ε = ε_u + s_T(ε_text − ε_image) + s_I(ε_image − ε_u); off, the (instruction, image) prediction alone.
 */
final class InstructPix2PixGuidance implements Guidance {
    private final List<Entry> entries;
    private final float textScale;
    private final float imageScale;

    private InstructPix2PixGuidance(List<Entry> entries, double textScale, double imageScale) {
        this.entries = entries;
        this.textScale = (float) textScale;
        this.imageScale = (float) imageScale;
    }

    static InstructPix2PixGuidance guided(PromptEncoder.Encoded instruction, PromptEncoder.Encoded negative,
                                          double textScale, double imageScale) {
        return new InstructPix2PixGuidance(List.of(Entry.of(instruction), Entry.of(negative), new Entry(negative, false)),
                textScale, imageScale);
    }

    static InstructPix2PixGuidance off(PromptEncoder.Encoded instruction) {
        return new InstructPix2PixGuidance(List.of(Entry.of(instruction)), 1, 1);
    }

    @Override
    public List<Entry> entries() { return entries; }

    @Override
    public void combineInto(float[] predictions, int sampleLength, float[] guided) {
        if (entries.size() == 1) System.arraycopy(predictions, 0, guided, 0, sampleLength);
        else combine(predictions, sampleLength, textScale, imageScale, guided);
    }

    /** The three-way formula over [ε_text ‖ ε_image ‖ ε_uncond], each {@code n} long. */
    static void combine(float[] batched, int n, float textScale, float imageScale, float[] out) {
        for (int i = 0; i < n; i++) {
            float text = batched[i];
            float image = batched[n + i];
            float uncond = batched[2 * n + i];
            out[i] = uncond + textScale * (text - image) + imageScale * (image - uncond);
        }
    }
}
