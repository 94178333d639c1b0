package dev.atelier.bench.startup;

import dev.atelier.testkit.diffusion.ToyPipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cold start of {@code generate} as a user pays it, each run a fresh process through the built jar with the
 * launcher's JVM options and AOT cache: process start → end of the first UNet step (as a ratio to a trivial
 * {@code java -cp … Hello} started the same way; goal ≤ 6×), the 1-step and 20-step wall times and the peak resident
 * memory (VmHWM of the child), before and after the start-up work of issue 16, side by side. "Before" is this code
 * with that work switched off by flags (sessions opened one after another, no optimised-graph cache, weights in the
 * arena, ONNX Runtime not preloaded while the command parses; the lazily built HTTP client of the hub is in both);
 * "after" runs with a warm optimised-graph cache, as every start after the first does. The model is a toy SD
 * 1.5 with the real shapes (77×768 text states, CFG batch 2×4×64×64, 512×512 output) whose UNet costs a stack of 3×3
 * convolutions. Arguments: [runs=3] [convLayers=64] [channels=64] (64 × 64 costs about 0.2 s per CFG call on the
 * shared 2-core machine, near the 0.25 s of the measurements). Needs {@code atelier-app/target/atelier.jar}.
 */
public final class StartupBenchmark {
    private static final Pattern BREAKDOWN = Pattern.compile("start-up breakdown \\(ms\\):(.*)");
    private static final String FIRST_STEP_MARK = "text encoding and first UNet step";

    private StartupBenchmark() {}

    /** One child's figures; {@code denoisingMs} and {@code insideUnetMs} from the pipeline's own DEBUG line. */
    record Run(long firstUnetMs, long wallMs, long peakRssKiB, long denoisingMs, long insideUnetMs) {}

    private static final Pattern DENOISING = Pattern.compile("denoising (\\d+) ms, inside the UNet (\\d+) ms");

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int layers = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int channels = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        Path root = Path.of(System.getProperty("atelier.root", ".")).toAbsolutePath().normalize();
        Path jar = root.resolve("atelier-app/target/atelier.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with ./mvnw -pl atelier-app -am package -DskipTests");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("java.class.path");

        Path work = Files.createTempDirectory("atelier-startup-bench");
        Path model = ToyPipeline.writeWithCostlyUnet(work.resolve("toy-sd15"), ToyPipeline.Spec.sd15().withHiddenDim(768),
                layers, channels);
        Path aot = work.resolve("atelier.aot");
        List<String> jvm = List.of("--enable-native-access=ALL-UNNAMED", "-Xmx2g", "-XX:+UseSerialGC");
        // the launcher's AOT cache, trained the way it trains it
        List<String> train = new ArrayList<>(List.of(java));
        train.addAll(jvm);
        train.addAll(List.of("-XX:AOTCacheOutput=" + aot, "-Xlog:aot=off", "-Xlog:cds=off", "-jar", jar.toString(),
                "generate", "--help"));
        new ProcessBuilder(train).redirectErrorStream(true).redirectOutput(work.resolve("train.log").toFile()).start().waitFor();
        List<String> aotOptions = Files.isRegularFile(aot)
                ? List.of("-XX:AOTCache=" + aot, "-Xlog:aot=off", "-Xlog:cds=off") : List.of();

        Path home = work.resolve("home"); // the per-user caches (natives, tokenizer) live here, warm after run one
        List<String> common = new ArrayList<>(jvm);
        common.addAll(aotOptions);
        common.add("-Duser.home=" + home);
        List<String> before = new ArrayList<>(common);
        before.addAll(List.of("-Datelier.sessions.parallel=false", "-Datelier.ort.cache=off",
                "-Datelier.ort.initializersInArena=true", "-Datelier.ort.preload=false"));
        List<String> after = new ArrayList<>(common);
        after.add("-Datelier.ort.cache=" + work.resolve("ort-optimized"));

        System.out.printf(Locale.ROOT, "toy SD 1.5, 512×512, UNet of %d 3×3 convolutions × %d channels; %d runs each,"
                + " medians (min)%n", layers, channels, runs);
        // warm-up: fills the per-user caches and the optimised graphs; its figures are not counted
        generate(java, before, jar, model, work, 1);
        generate(java, after, jar, model, work, 1);

        List<Long> hello = new ArrayList<>();
        List<Run> before1 = new ArrayList<>(), after1 = new ArrayList<>(), before20 = new ArrayList<>(),
                after20 = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            hello.add(hello(java, jvm, classpath, work));
            before1.add(generate(java, before, jar, model, work, 1));
            after1.add(generate(java, after, jar, model, work, 1));
            before20.add(generate(java, before, jar, model, work, 20));
            after20.add(generate(java, after, jar, model, work, 20));
        }
        double helloMs = median(hello.stream().mapToLong(Long::longValue).toArray());
        System.out.printf(Locale.ROOT, "java -cp … Hello: %.0f ms (min %d)%n", helloMs,
                hello.stream().mapToLong(Long::longValue).min().orElseThrow());
        System.out.printf(Locale.ROOT, "%-44s %18s %18s%n", "", "before", "after");
        row("start → first UNet step (ms, 1-step run)", before1, after1, Run::firstUnetMs);
        System.out.printf(Locale.ROOT, "%-44s %18.1f× %17.1f×   (goal ≤ 6×)%n", "  as a ratio to Hello",
                median(before1.stream().mapToLong(Run::firstUnetMs).toArray()) / helloMs,
                median(after1.stream().mapToLong(Run::firstUnetMs).toArray()) / helloMs);
        row("1-step wall (ms)", before1, after1, Run::wallMs);
        row("20-step wall (ms)", before20, after20, Run::wallMs);
        row("20 steps: denoising loop wall (ms)", before20, after20, Run::denoisingMs);
        row("20 steps: inside ONNX Runtime's UNet (ms)", before20, after20, Run::insideUnetMs);
        row("peak RSS, 1 step (MiB)", before1, after1, r -> r.peakRssKiB() / 1024);
        row("peak RSS, 20 steps (MiB)", before20, after20, r -> r.peakRssKiB() / 1024);
        System.out.printf(Locale.ROOT, "work folder (logs of the last runs): %s%n", work);
    }

    private static void row(String label, List<Run> before, List<Run> after, java.util.function.ToLongFunction<Run> f) {
        long[] b = before.stream().mapToLong(f).toArray();
        long[] a = after.stream().mapToLong(f).toArray();
        System.out.printf(Locale.ROOT, "%-44s %11.0f (%4d) %11.0f (%4d)%n", label, median(b),
                Arrays.stream(b).min().orElseThrow(), median(a), Arrays.stream(a).min().orElseThrow());
    }

    private static double median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
    }

    private static long hello(String java, List<String> jvm, String classpath, Path work) throws Exception {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvm);
        command.addAll(List.of("-cp", classpath, Hello.class.getName()));
        long start = System.currentTimeMillis();
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("hello.log").toFile()).start();
        if (p.waitFor() != 0) throw new IllegalStateException("Hello failed: " + Files.readString(work.resolve("hello.log")));
        return System.currentTimeMillis() - start;
    }

    private static Run generate(String java, List<String> options, Path jar, Path model, Path work, int steps)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(options);
        command.addAll(List.of("-jar", jar.toString(), "generate", "--verbose", "--model", model.toString(),
                "--prompt", "a red cat", "--steps", String.valueOf(steps), "--seed", "7", "--scheduler",
                "euler-a", "--width", "512", "--height", "512", "--out", work.resolve("out.png").toString()));
        Path log = work.resolve("generate-" + (options.contains("-Datelier.ort.cache=off") ? "before" : "after") + "-"
                + steps + ".log");
        long start = System.currentTimeMillis();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path status = Path.of("/proc", String.valueOf(p.pid()), "status");
        long peak = 0;
        while (p.isAlive()) {
            peak = Math.max(peak, vmHwm(status));
            Thread.sleep(5);
        }
        long wall = System.currentTimeMillis() - start;
        String text = Files.readString(log);
        if (p.exitValue() != 0) throw new IllegalStateException("generate failed (" + p.exitValue() + "):\n" + text);
        Matcher d = DENOISING.matcher(text);
        if (!d.find()) throw new IllegalStateException("no denoising timings in the child's output:\n" + text);
        return new Run(firstUnetEpoch(text) - start, wall, peak, Long.parseLong(d.group(1)), Long.parseLong(d.group(2)));
    }

    /** The high-water mark of resident memory, in KiB; 0 once the process is gone. */
    private static long vmHwm(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException gone) {
            // exited between the check and the read
        }
        return 0;
    }

    /** When the first UNet step ended, from the child's start-up breakdown (marks counted from the JVM's start). */
    static long firstUnetEpoch(String log) {
        Matcher m = BREAKDOWN.matcher(log);
        if (!m.find()) throw new IllegalStateException("no start-up breakdown in the child's output:\n" + log);
        long at = -1;
        long sum = 0;
        long jvmStart = -1;
        for (String part : m.group(1).split(";")) {
            String p = part.strip();
            if (p.startsWith("JVM start at epoch ")) {
                jvmStart = Long.parseLong(p.substring("JVM start at epoch ".length()).strip());
                continue;
            }
            int space = p.lastIndexOf(' ');
            if (space < 0 || p.startsWith("total ")) continue;
            sum += Long.parseLong(p.substring(space + 1));
            if (p.substring(0, space).equals(FIRST_STEP_MARK)) at = sum;
        }
        if (at < 0 || jvmStart < 0) throw new IllegalStateException("the breakdown lacks the first step: " + m.group());
        return jvmStart + at;
    }
}
