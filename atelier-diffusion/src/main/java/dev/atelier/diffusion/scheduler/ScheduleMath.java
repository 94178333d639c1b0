package dev.atelier.diffusion.scheduler;

import dev.atelier.core.AtelierException;

/** numpy-exact helpers the diffusers schedules are defined with, and the element-wise sample arithmetic. */
final class ScheduleMath {
    private ScheduleMath() {}

    /** numpy.linspace(start, stop, n) with endpoint: start + i·step, the last value exactly stop. */
    static double[] linspace(double start, double stop, int n) {
        double[] values = new double[n];
        if (n == 1) {
            values[0] = start;
            return values;
        }
        double step = (stop - start) / (n - 1);
        for (int i = 0; i < n; i++) values[i] = i * step + start;
        values[n - 1] = stop;
        return values;
    }

    /** numpy.interp(x, [0, 1, …, len−1], values): linear interpolation over integer positions, clamped. */
    static double interpolate(double x, double[] values) {
        if (x <= 0) return values[0];
        int last = values.length - 1;
        if (x >= last) return values[last];
        int low = (int) Math.floor(x);
        double weight = x - low;
        return values[low] + weight * (values[low + 1] - values[low]);
    }

    /**
     * The fractional training timestep whose σ is {@code sigma}: linear interpolation in log σ between the two
     * neighbouring training timesteps (diffusers' {@code _sigma_to_t}); {@code logSigmas} ascends with t.
     */
    static double sigmaToTimestep(double sigma, double[] logSigmas) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        int low = 0;
        for (int i = 0; i < logSigmas.length; i++) {
            if (logSigma - logSigmas[i] >= 0) low = i;
        }
        low = Math.min(low, logSigmas.length - 2);
        double lowLog = logSigmas[low];
        double highLog = logSigmas[low + 1];
        double w = (lowLog - logSigma) / (lowLog - highLog);
        w = Math.clamp(w, 0.0, 1.0);
        return (1 - w) * low + w * (low + 1);
    }

    /** Karras et al. 2022: σ_i = (σ_max^{1/ρ} + i/(n−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ with ρ = 7. */
    static double[] karrasSigmas(double sigmaMin, double sigmaMax, int n) {
        double rho = 7.0;
        double minInvRho = Math.pow(sigmaMin, 1 / rho);
        double maxInvRho = Math.pow(sigmaMax, 1 / rho);
        double[] ramp = linspace(0, 1, n);
        double[] sigmas = new double[n];
        for (int i = 0; i < n; i++) sigmas[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), rho);
        return sigmas;
    }

    /** numpy's log of a float32 array: each log rounded to float32. */
    static double[] float32Logs(double[] values) {
        double[] logs = new double[values.length];
        for (int i = 0; i < values.length; i++) logs[i] = (float) Math.log(values[i]);
        return logs;
    }

    static void requireSteps(int steps, int max, String scheduler) {
        if (steps < 1 || steps > max) {
            throw new AtelierException("The " + scheduler + " scheduler cannot run " + steps
                    + " steps; choose between 1 and " + max + ".");
        }
    }

    static void requireSameLength(float[] a, float[] b, String what) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(what + " have different lengths: " + a.length + " and " + b.length);
        }
    }
}
