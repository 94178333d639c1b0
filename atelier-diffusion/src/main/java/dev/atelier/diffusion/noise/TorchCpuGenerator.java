package dev.atelier.diffusion.noise;

import dev.atelier.diffusion.scheduler.NoiseSource;

/**
 * The noise of {@code torch.Generator("cpu").manual_seed(seed)} followed by {@code torch.randn(..., generator=g)}
 * for float32 tensors, so a seed means the same starting latents (and ancestral noise) as in diffusers on the CPU.
 * <p>
 * PyTorch's CPU generator is a 32-bit Mersenne Twister seeded with the low 32 bits of the seed. {@code randn} of a
 * contiguous float tensor with at least 16 elements first fills the tensor with float uniforms (24 random bits each),
 * then turns every block of 16 into normals by Box–Muller, pairing element j with j + 8 (u₁ = 1 − x_j, u₂ =
 * x_{j+8}); when the size is not a multiple of 16, the last 16 elements are drawn again from fresh uniforms and
 * transformed once more. Smaller tensors take the scalar path: double uniforms of 53 bits, Box–Muller in double
 * with one of the pair cached in the generator for the next scalar draw.
 * <p>
 * The large-tensor path here is torch's portable kernel in float32 arithmetic; on CPUs where torch runs its AVX2
 * kernel (polynomial log/sin/cos, 2π rounded to float first) values can differ in the last bit or two.
 */
public final class TorchCpuGenerator implements NoiseSource {
    private static final int N = 624;
    private static final int M = 397;

    private final int[] state = new int[N];
    private int index;
    /** The second normal of the last scalar Box–Muller pair, NaN when none is cached. */
    private double cachedNormal = Double.NaN;

    public TorchCpuGenerator(long seed) {
        state[0] = (int) seed; // torch keeps only the low 32 bits for the engine
        for (int i = 1; i < N; i++) {
            int previous = state[i - 1];
            state[i] = 1812433253 * (previous ^ (previous >>> 30)) + i;
        }
        index = N;
    }

    /** The next 32-bit output of the Mersenne Twister, as an unsigned value. */
    public long nextUnsignedInt() {
        if (index >= N) twist();
        int y = state[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xffffffffL;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (state[i] & 0x80000000) | (state[(i + 1) % N] & 0x7fffffff);
            int next = state[(i + M) % N] ^ (y >>> 1);
            if ((y & 1) != 0) next ^= 0x9908b0df;
            state[i] = next;
        }
        index = 0;
    }

    /** torch's float uniform in [0, 1): the low 24 bits of one output over 2²⁴. */
    private float uniformFloat() {
        return (nextUnsignedInt() & 0xffffff) * 0x1p-24f;
    }

    /** torch's double uniform in [0, 1): two outputs joined high-then-low, the low 53 bits over 2⁵³. */
    private double uniformDouble() {
        long high = nextUnsignedInt();
        long low = nextUnsignedInt();
        return (((high << 32) | low) & ((1L << 53) - 1)) * 0x1p-53;
    }

    /** {@code torch.rand(n)} for float32: {@code n} uniforms in [0, 1). */
    public float[] uniform(int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = uniformFloat();
        return out;
    }

    /** {@code torch.randn(n)} for a contiguous float32 tensor of {@code n} elements. */
    @Override
    public float[] gaussian(int n) {
        float[] out = new float[n];
        if (n >= 16) {
            for (int i = 0; i < n; i++) out[i] = uniformFloat();
            for (int i = 0; i + 16 <= n; i += 16) boxMuller16(out, i);
            if (n % 16 != 0) {
                int from = n - 16;
                for (int i = from; i < n; i++) out[i] = uniformFloat();
                boxMuller16(out, from);
            }
        } else {
            for (int i = 0; i < n; i++) out[i] = (float) scalarNormal();
        }
        return out;
    }

    /** torch's normal_fill_16 in float32: pairs (j, j + 8) of a block of 16 uniforms become two normals. */
    private static void boxMuller16(float[] data, int from) {
        for (int j = from; j < from + 8; j++) {
            float u1 = 1f - data[j];
            float u2 = data[j + 8];
            float radius = (float) StrictMath.sqrt(-2f * (float) StrictMath.log(u1));
            float theta = (float) (2.0 * Math.PI * u2);
            data[j] = radius * (float) StrictMath.cos(theta);
            data[j + 8] = radius * (float) StrictMath.sin(theta);
        }
    }

    /** torch's at::normal_distribution&lt;double&gt;: Box–Muller on two double uniforms, the sine half cached. */
    private double scalarNormal() {
        if (!Double.isNaN(cachedNormal)) {
            double cached = cachedNormal;
            cachedNormal = Double.NaN;
            return cached;
        }
        double u1 = uniformDouble();
        double u2 = uniformDouble();
        double radius = StrictMath.sqrt(-2.0 * StrictMath.log1p(-u2));
        double theta = 2.0 * Math.PI * u1;
        cachedNormal = radius * StrictMath.sin(theta);
        return radius * StrictMath.cos(theta);
    }
}
