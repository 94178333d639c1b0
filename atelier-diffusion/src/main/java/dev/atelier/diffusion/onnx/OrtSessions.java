package dev.atelier.diffusion.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.atelier.core.AtelierException;
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
        try (OrtSession.SessionOptions options = options(settings)) {
            long start = System.nanoTime();
            OrtSession session = env.createSession(modelFile.toString(), options);
            log.debug("loaded {} from {} in {} ms", name, modelFile, (System.nanoTime() - start) / 1_000_000);
            return new OrtModelSession(name, env, session);
        } catch (OrtException e) {
            throw new AtelierException("cannot load " + name + " from " + modelFile + ": " + e.getMessage()
                    + " — the file may be damaged, truncated, or miss its external data file beside it", e);
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
