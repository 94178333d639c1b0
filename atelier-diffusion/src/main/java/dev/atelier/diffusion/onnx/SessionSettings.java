package dev.atelier.diffusion.onnx;

/**
 * ONNX Runtime session options: device, intra-op threads (0 = the runtime's default, one per core), graph
 * optimisation level, and whether the CPU memory arena is used (off trades speed for a smaller peak).
 */
public record SessionSettings(Device device, int cudaDeviceId, int intraOpThreads, Optimisation optimisation,
                              boolean memoryArena) {

    public enum Optimisation { NONE, BASIC, EXTENDED, ALL }

    public SessionSettings {
        if (intraOpThreads < 0) throw new IllegalArgumentException("intraOpThreads must be ≥ 0");
        if (cudaDeviceId < 0) throw new IllegalArgumentException("cudaDeviceId must be ≥ 0");
    }

    public static SessionSettings defaults() {
        return new SessionSettings(Device.CPU, 0, 0, Optimisation.ALL, true);
    }

    public SessionSettings withDevice(Device d) {
        return new SessionSettings(d, cudaDeviceId, intraOpThreads, optimisation, memoryArena);
    }

    public SessionSettings withIntraOpThreads(int n) {
        return new SessionSettings(device, cudaDeviceId, n, optimisation, memoryArena);
    }

    public SessionSettings withOptimisation(Optimisation o) {
        return new SessionSettings(device, cudaDeviceId, intraOpThreads, o, memoryArena);
    }

    public SessionSettings withMemoryArena(boolean on) {
        return new SessionSettings(device, cudaDeviceId, intraOpThreads, optimisation, on);
    }
}
