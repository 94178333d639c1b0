package dev.atelier.diffusion.pipeline;

import dev.atelier.diffusion.onnx.BoundRun;
import dev.atelier.diffusion.regional.CrossAttentionRewrite;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Attention-mode regional conditioning for a UNet rewritten by {@link CrossAttentionRewrite}: the conditional entry's
 * text states are the G = 1 + N prompts [c_base | c_0 | … | c_{N−1}] concatenated on the token axis, and the weights
 * input gives each prompt's share at every latent pixel: β for the base, (1 − β)·M_r for region r. The
 * unconditional entry is c_u repeated G times, which the rewritten blocks turn back into Attn(Q, c_u) because the
 * weights sum to 1. After the regional fraction of the steps the weights give the base prompt alone (RPG's
 * end_steps), with the same bound buffers.
 */
final class RegionalAttention implements UnetConditioning {
    private final int groups;
    private final float[] regional;
    private final float[] baseOnly;
    private final Set<Double> regionalTimesteps;

    /**
     * @param masks             the regions on the latent grid
     * @param baseRatio         β (0 when the base prompt only serves the steps after the regional ones)
     * @param regionalTimesteps the timesteps rendered regionally; every other one renders the base prompt alone
     */
    RegionalAttention(RegionMasks masks, double baseRatio, Set<Double> regionalTimesteps) {
        this.groups = 1 + masks.regionCount();
        int plane = masks.width() * masks.height();
        this.regional = new float[groups * plane];
        this.baseOnly = new float[groups * plane];
        int[] cells = masks.cells();
        for (int p = 0; p < plane; p++) {
            regional[p] = (float) baseRatio;
            regional[(1 + cells[p]) * plane + p] = (float) (1 - baseRatio);
            baseOnly[p] = 1;
        }
        this.regionalTimesteps = new HashSet<>(regionalTimesteps);
    }

    /** The timesteps among the first {@code fraction} of {@code timesteps} (rounded to whole steps). */
    static Set<Double> firstSteps(double[] timesteps, double fraction) {
        int regionalCount = (int) Math.round(fraction * timesteps.length);
        Set<Double> out = new HashSet<>();
        for (int k = 0; k < regionalCount; k++) out.add(timesteps[k]);
        return out;
    }

    /** The prompts' states joined on the token axis (all of one chunk count); the pooled embedding is the first's. */
    static PromptEncoder.Encoded concatenate(List<PromptEncoder.Encoded> prompts) {
        PromptEncoder.Encoded first = prompts.getFirst();
        int length = 0;
        for (PromptEncoder.Encoded e : prompts) length += e.states().length;
        float[] states = new float[length];
        int at = 0;
        for (PromptEncoder.Encoded e : prompts) {
            System.arraycopy(e.states(), 0, states, at, e.states().length);
            at += e.states().length;
        }
        return new PromptEncoder.Encoded(states, at / first.dim(), first.dim(), first.pooled());
    }

    /** {@code prompt}'s states repeated {@code times} on the token axis. */
    static PromptEncoder.Encoded repeated(PromptEncoder.Encoded prompt, int times) {
        List<PromptEncoder.Encoded> copies = new ArrayList<>();
        for (int i = 0; i < times; i++) copies.add(prompt);
        return concatenate(copies);
    }

    int groups() { return groups; }

    @Override
    public int channels() { return 0; }

    @Override
    public float[] channelsFor(Guidance.Entry entry) { return new float[0]; }

    @Override
    public Map<String, long[]> inputs(int batch, int latentHeight, int latentWidth) {
        return Map.of(CrossAttentionRewrite.WEIGHTS_INPUT, new long[] {1, groups, latentHeight, latentWidth});
    }

    @Override
    public void beforeRun(BoundRun run, List<Guidance.Entry> entries, float[] scaledLatents, double timestep) {
        float[] weights = regionalTimesteps.contains(timestep) ? regional : baseOnly;
        run.input(CrossAttentionRewrite.WEIGHTS_INPUT).put(0, weights, 0, weights.length);
    }
}
