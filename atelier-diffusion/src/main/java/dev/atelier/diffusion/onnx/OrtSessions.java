package dev.atelier.diffusion.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.atelier.core.AtelierException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens {@link ModelSession}s on ONNX Runtime with {@link SessionSettings}. */
public final class OrtSessions {
    private static final Logger log = LoggerFactory.getLogger(OrtSessions.class);

    private OrtSessions() {}

    /** Whether the CUDA execution provider is present (the {@code onnxruntime_gpu} build is on the classpath). */
    public static boolean cudaAvailable() {
        return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    }

    /**
     * Loads {@code modelFile} (external data files are read from beside it) as the component {@code name}.
     *
     * @throws AtelierException when the file is missing, is not a loadable ONNX model, or CUDA is asked for but
     *                          absent
     */
    public static ModelSession open(String name, Path modelFile, SessionSettings settings) {
        if (!Files.isRegularFile(modelFile)) {
            throw new AtelierException(name + " model file is missing: " + modelFile
                    + " — the pipeline directory is incomplete; export or download it again");
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long start = System.nanoTime();
        OptimizedModelCache cache = OptimizedModelCache.configured();
        OrtSession session = cache == null ? null : openThroughCache(env, name, modelFile, settings, cache);
        try {
            if (session == null) {
                try (OrtSession.SessionOptions options = options(settings)) {
                    session = env.createSession(modelFile.toString(), options);
                }
            }
            log.debug("loaded {} from {} in {} ms", name, modelFile, (System.nanoTime() - start) / 1_000_000);
            return new OrtModelSession(name, env, session);
        } catch (OrtException e) {
            closeQuietly(session);
            throw new AtelierException("cannot load " + name + " from " + modelFile + ": " + e.getMessage()
                    + " — the file may be damaged, truncated, or miss its external data file beside it", e);
        }
    }

    /**
     * The session from the cached optimised graph, or (no entry yet) from the model while ONNX Runtime writes its
     * optimised graph into the cache; null when the cache cannot help, and the model is then opened plainly.
     */
    private static OrtSession openThroughCache(OrtEnvironment env, String name, Path modelFile, SessionSettings settings,
                                               OptimizedModelCache cache) {
        OptimizedModelCache.Entry entry;
        try {
            entry = cache.entryFor(modelFile, settings, env.getVersion());
        } catch (IOException | RuntimeException e) {
            log.debug("optimised-graph cache unusable for {}: {}", name, e.toString());
            return null;
        }
        if (Files.isRegularFile(entry.file())) {
            // already optimised at the requested level: optimising again would only cost time
            try (OrtSession.SessionOptions options = options(settings.withOptimisation(SessionSettings.Optimisation.NONE))) {
                OrtSession session = env.createSession(entry.file().toString(), options);
                log.debug("{}: optimised graph from {}", name, entry.file());
                return session;
            } catch (OrtException | RuntimeException e) {
                log.debug("{}: cached optimised graph {} failed to load ({}); rebuilding it", name, entry.file(), e.toString());
                cache.discard(entry);
            }
        }
        if (settings.optimisation() == SessionSettings.Optimisation.NONE) return null; // nothing worth keeping
        Path written = null;
        try (OrtSession.SessionOptions options = options(settings)) {
            written = cache.temporaryFor(entry);
            options.setOptimizedModelFilePath(written.toString());
            // its warning that the graph suits this machine only is what the cache key's CPU part is for
            options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            if (entry.externalData()) {
                // a model too large for one protobuf keeps its weights beside the graph, never inside it
                options.addConfigEntry("session.optimized_model_external_initializers_file_name", entry.dataFileName());
            }
            OrtSession session = env.createSession(modelFile.toString(), options);
            try {
                if (Files.isRegularFile(written)) cache.publish(entry, written);
            } catch (IOException e) {
                log.debug("{}: could not publish the optimised graph: {}", name, e.toString());
            }
            log.debug("{}: optimised graph written to {}", name, entry.file());
            return session;
        } catch (OrtException | IOException | RuntimeException e) {
            if (e instanceof AtelierException a) throw a;
            log.debug("{}: could not write an optimised graph ({}); opening the model plainly", name, e.toString());
            return null;
        } finally {
            if (written != null) {
                try {
                    Files.deleteIfExists(written);
                } catch (IOException ignored) {
                    // a leftover .tmp file is skipped by every later start
                }
            }
        }
    }

    private static void closeQuietly(OrtSession session) {
        if (session == null) return;
        try {
            session.close();
        } catch (OrtException ignored) {
            // already failing: the first error is the one to report
        }
    }

    static OrtSession.SessionOptions options(SessionSettings settings) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            if (settings.intraOpThreads() > 0) options.setIntraOpNumThreads(settings.intraOpThreads());
            options.setOptimizationLevel(switch (settings.optimisation()) {
                case NONE -> OptLevel.NO_OPT;
                case BASIC -> OptLevel.BASIC_OPT;
                case EXTENDED -> OptLevel.EXTENDED_OPT;
                case ALL -> OptLevel.ALL_OPT;
            });
            // Memory. Weights are allocated outside the arena (they live as long as the session, and an arena would
            // round each up to its growth step, so a multi-gigabyte UNet could reserve far more than it holds).
            // Activations keep the arena when it is on: a UNet asks for the same sizes every step, which the arena
            // then hands out again without touching the system allocator; off, each run allocates and frees, which
            // trades a little speed for a smaller peak (SessionSettings.memoryArena).
            if (!Boolean.getBoolean("atelier.ort.initializersInArena")) { // the old behaviour, for benchmarks
                options.addConfigEntry("session.use_device_allocator_for_initializers", "1");
            }
            options.setCPUArenaAllocator(settings.memoryArena());
            options.setMemoryPatternOptimization(settings.memoryArena());
            if (settings.device() == Device.CUDA) {
                if (!cudaAvailable()) {
                    throw new AtelierException("--device cuda needs ONNX Runtime's GPU build, which is not on the"
                            + " classpath: replace com.microsoft.onnxruntime:onnxruntime by onnxruntime_gpu (and install"
                            + " CUDA 12 with cuDNN 9), or run with --device cpu");
                }
                options.addCUDA(settings.cudaDeviceId());
            }
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }
}
