package dev.atelier.vision.caption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.onnx.SessionSettings;
import dev.atelier.diffusion.onnx.Tensor;
import dev.atelier.testkit.vision.ToyCaptioner;
import dev.atelier.vision.preprocess.ImagePreprocessor;
import dev.atelier.vision.text.Gpt2Tokenizer;
import dev.atelier.testkit.vision.ToyCaptioner.Layout;
import dev.atelier.testkit.vision.ToyCaptioner.Spec;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxCaptionerTest {

    static final BufferedImage RED = ToyCaptioner.picture(Color.RED, 40, 30);
    static final BufferedImage BLUE = ToyCaptioner.picture(Color.BLUE, 20, 20);
    static final BufferedImage GREEN = ToyCaptioner.picture(Color.GREEN, 32, 24);
    static final BufferedImage YELLOW = ToyCaptioner.picture(Color.YELLOW, 24, 32);

    @TempDir
    Path tmp;

    private Path toy(Spec spec) throws Exception {
        return ToyCaptioner.write(tmp.resolve(spec.layout() + (spec.underOnnxFolder() ? "-onnx" : "")
                + (spec.numBeams() > 1 ? "-beams" : "") + (spec.speechless() ? "-silent" : "") + (spec.fp16() ? "-fp16" : "")
                + (spec.mergesAsPairs() ? "-pairs" : "")), spec);
    }

    @Test
    void greedyDecodingReadsThePictureInEveryLayout() throws Exception {
        for (Spec spec : List.of(Spec.of(Layout.PLAIN), Spec.of(Layout.WITH_PAST), Spec.of(Layout.MERGED),
                Spec.of(Layout.MERGED).withOnnxFolder().withMergePairs(), Spec.of(Layout.WITH_PAST).withOnnxFolder(),
                Spec.of(Layout.MERGED).withFp16(), Spec.of(Layout.WITH_PAST).withFp16())) {
            try (OnnxCaptioner captioner = OnnxCaptioner.open(toy(spec))) {
                assertThat(captioner.caption(RED)).as(spec.toString()).isEqualTo(ToyCaptioner.RED);
                assertThat(captioner.caption(BLUE)).as(spec.toString()).isEqualTo(ToyCaptioner.BLUE);
                assertThat(captioner.caption(GREEN)).as(spec.toString()).isEqualTo(ToyCaptioner.GREEN_GREEDY);
                assertThat(captioner.caption(YELLOW)).as(spec.toString()).isEqualTo(ToyCaptioner.YELLOW);
            }
        }
    }

    @Test
    void theCaptionIsTheDecoderTokensWithoutStartAndEnd() throws Exception {
        try (OnnxCaptioner captioner = OnnxCaptioner.open(toy(Spec.of(Layout.MERGED)))) {
            assertThat(captioner.captionTokens(YELLOW)).containsExactly(ToyCaptioner.tokenId("un"),
                    ToyCaptioner.tokenId("Ġcarr"), ToyCaptioner.tokenId("Ã"), ToyCaptioner.tokenId("©"),
                    ToyCaptioner.tokenId("Ġjaune"));
        }
    }

    @Test
    void beamSearchFindsTheLikelierCaptionInEveryLayout() throws Exception {
        for (Layout layout : Layout.values()) {
            try (OnnxCaptioner captioner = OnnxCaptioner.open(toy(Spec.of(layout).withBeams(2)))) {
                assertThat(captioner.generation().numBeams()).isEqualTo(2);
                assertThat(captioner.caption(GREEN)).as(layout.name()).isEqualTo(ToyCaptioner.GREEN_BEAM);
                assertThat(captioner.caption(RED)).as(layout.name()).isEqualTo(ToyCaptioner.RED);
            }
            try (OnnxCaptioner captioner = OnnxCaptioner.open(toy(Spec.of(layout).withBeams(2)),
                    OnnxCaptioner.Options.defaults().withNumBeams(3))) {
                assertThat(captioner.caption(GREEN)).as(layout.name()).isEqualTo(ToyCaptioner.GREEN_BEAM);
            }
            try (OnnxCaptioner captioner = OnnxCaptioner.open(toy(Spec.of(layout).withBeams(2)),
                    OnnxCaptioner.Options.defaults().withNumBeams(1))) {
                assertThat(captioner.caption(GREEN)).as(layout.name()).isEqualTo(ToyCaptioner.GREEN_GREEDY);
            }
        }
    }

    @Test
    void beamSearchWorksOnFloat16Exports() throws Exception {
        for (Layout layout : List.of(Layout.WITH_PAST, Layout.MERGED)) {
            try (OnnxCaptioner captioner = OnnxCaptioner.open(toy(Spec.of(layout).withFp16().withBeams(2)))) {
                assertThat(captioner.caption(GREEN)).as(layout.name()).isEqualTo(ToyCaptioner.GREEN_BEAM);
            }
        }
    }

    @Test
    void aFileVariantIsChosenByItsSuffix() throws Exception {
        Path dir = toy(Spec.of(Layout.MERGED).withOnnxFolder());
        for (String file : List.of("encoder_model", "decoder_model_merged")) {
            Files.move(dir.resolve("onnx/" + file + ".onnx"), dir.resolve("onnx/" + file + "_quantized.onnx"));
        }
        try (OnnxCaptioner captioner = OnnxCaptioner.open(dir, OnnxCaptioner.Options.defaults().withVariant("quantized"))) {
            assertThat(captioner.caption(BLUE)).isEqualTo(ToyCaptioner.BLUE);
        }
        assertThatThrownBy(() -> OnnxCaptioner.open(dir)).isInstanceOf(AtelierException.class)
                .hasMessageContaining("expected encoder_model.onnx").hasMessageContaining("onnx/");
        assertThatThrownBy(() -> OnnxCaptioner.Options.defaults().withVariant("../x")).isInstanceOf(AtelierException.class);
    }

    @Test
    void maxLengthCutsTheCaption() throws Exception {
        try (OnnxCaptioner captioner = OnnxCaptioner.open(toy(Spec.of(Layout.WITH_PAST)),
                OnnxCaptioner.Options.defaults().withMaxLength(3))) {
            assertThat(captioner.caption(RED)).isEqualTo("a red");
        }
    }

    @Test
    void pastKeyValuesMustFollowTheirBeams() throws Exception {
        Path dir = toy(Spec.of(Layout.WITH_PAST));
        CaptionerFiles files = CaptionerFiles.find(dir);
        try (OnnxPart encoder = OnnxPart.open("encoder", files.encoder(), SessionSettings.defaults());
             OnnxDecoder decoder = new OnnxDecoder(files, GenerationSettings.readJson(dir.resolve("config.json")),
                     SessionSettings.defaults())) {
            GenerationSettings beams = GenerationSettings.read(dir).withNumBeams(2);
            Tensor.Floats states = encoder.run(Map.of("pixel_values", pixels(dir, GREEN))).get("last_hidden_state");
            assertThat(decode(dir, decoder.start(states), beams)).isEqualTo(ToyCaptioner.GREEN_BEAM);
            // the same search, with caches left in place when beams are reordered, reads another caption
            NextTokenLogits right = decoder.start(states);
            NextTokenLogits stale = (sequences, parents) ->
                    right.next(sequences, parents == null ? null : identity(parents.length));
            assertThat(decode(dir, stale, beams)).isNotEqualTo(ToyCaptioner.GREEN_BEAM);
        }
    }

    @Test
    void thePastDecidesTheToyDecodersNextToken() throws Exception {
        Path dir = toy(Spec.of(Layout.WITH_PAST));
        CaptionerFiles files = CaptionerFiles.find(dir);
        int v = ToyCaptioner.vocabularySize();
        try (OnnxPart encoder = OnnxPart.open("encoder", files.encoder(), SessionSettings.defaults());
             OnnxPart first = OnnxPart.open("decoder", files.decoder().orElseThrow(), SessionSettings.defaults());
             OnnxPart later = OnnxPart.open("decoder with past", files.decoderWithPast().orElseThrow(), SessionSettings.defaults())) {
            Tensor.Floats states = encoder.run(Map.of("pixel_values", pixels(dir, RED))).get("last_hidden_state");
            long start = ToyCaptioner.endOfTextId();
            Map<String, Tensor.Floats> out = first.run(Map.of("input_ids", Tensor.ofLongs(new long[] {start}, 1, 1),
                    "encoder_hidden_states", states));
            assertThat(TokenSearch.argmax(out.get("logits").data())).isEqualTo(ToyCaptioner.tokenId("a"));
            Map<String, Object> fedBack = new java.util.HashMap<>(Map.of("input_ids",
                    Tensor.ofLongs(new long[] {ToyCaptioner.tokenId("a")}, 1, 1), "encoder_hidden_states", states));
            Map<String, Object> notFed = new java.util.HashMap<>(fedBack);
            for (String kv : List.of("0.key", "0.value", "1.key", "1.value")) {
                fedBack.put("past_key_values." + kv, out.get("present." + kv));
                notFed.put("past_key_values." + kv, new Tensor.Floats(new long[] {1, 1, 0, v}, new float[0]));
            }
            assertThat(TokenSearch.argmax(later.run(fedBack).get("logits").data())).isEqualTo(ToyCaptioner.tokenId("Ġred"));
            assertThat(TokenSearch.argmax(later.run(notFed).get("logits").data())).isNotEqualTo(ToyCaptioner.tokenId("Ġred"));
        }
    }

    @Test
    void aFolderOfTheWrongLayoutIsOneClearLine() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("clip-like"));
        Files.writeString(empty.resolve("model.onnx"), "not a captioner");
        assertThatThrownBy(() -> OnnxCaptioner.open(empty)).isInstanceOf(AtelierException.class)
                .hasMessageContaining("not a vision-encoder-decoder ONNX export").hasMessageContaining("model.onnx")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> OnnxCaptioner.open(tmp.resolve("missing"))).isInstanceOf(AtelierException.class)
                .hasMessageContaining("not found");

        // the encoder's and decoder's places swapped: each part says what it lacks
        Path swapped = toy(Spec.of(Layout.PLAIN));
        Path encoder = swapped.resolve("encoder_model.onnx");
        Path decoder = swapped.resolve("decoder_model.onnx");
        Path aside = swapped.resolve("aside.onnx");
        Files.move(encoder, aside);
        Files.move(decoder, encoder);
        Files.move(aside, decoder);
        assertThatThrownBy(() -> OnnxCaptioner.open(swapped)).isInstanceOf(AtelierException.class)
                .hasMessageContaining("pixel_values").hasMessageContaining("is not the encoder of a vision-encoder-decoder")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aModelThatSaysNothingIsOneClearLine() throws Exception {
        try (OnnxCaptioner captioner = OnnxCaptioner.open(toy(Spec.of(Layout.MERGED).withSpeechless()))) {
            assertThatThrownBy(() -> captioner.caption(RED)).isInstanceOf(AtelierException.class)
                    .hasMessageContaining("produced no text").hasMessageNotContaining("\n");
        }
    }

    @Test
    void generationSettingsComeFromTheModelFiles() throws Exception {
        Path dir = toy(Spec.of(Layout.MERGED).withBeams(4));
        GenerationSettings g = GenerationSettings.read(dir);
        assertThat(g.decoderStartId()).isEqualTo(ToyCaptioner.endOfTextId());
        assertThat(g.eosIds()).containsExactly(ToyCaptioner.endOfTextId());
        assertThat(g.numBeams()).isEqualTo(4);
        assertThat(g.maxLength()).isEqualTo(12);
        // without generation_config.json: config.json, then transformers' defaults
        Files.delete(dir.resolve("generation_config.json"));
        GenerationSettings fallback = GenerationSettings.read(dir);
        assertThat(fallback.numBeams()).isEqualTo(1);
        assertThat(fallback.maxLength()).isEqualTo(20);
        assertThat(fallback.decoderStartId()).isEqualTo(ToyCaptioner.endOfTextId());
        Files.writeString(dir.resolve("generation_config.json"), "{\"decoder_start_token_id\":5,\"eos_token_id\":[7,8],"
                + "\"max_new_tokens\":9,\"length_penalty\":0.5,\"early_stopping\":\"never\"}");
        GenerationSettings listed = GenerationSettings.read(dir);
        assertThat(listed.eosIds()).containsExactly(7, 8);
        assertThat(listed.maxLength()).isEqualTo(10);
        assertThat(listed.lengthPenalty()).isEqualTo(0.5);
        assertThat(listed.earlyStopping()).isEqualTo(GenerationSettings.EarlyStopping.NEVER);
    }

    private static Tensor.Floats pixels(Path dir, BufferedImage image) {
        return ImagePreprocessor.forModel(dir, ImagePreprocessor.vitDefaults()).pixelValues(image);
    }

    private static String decode(Path dir, NextTokenLogits logits, GenerationSettings settings) {
        List<Integer> tokens = new ArrayList<>(TokenSearch.generate(logits, settings));
        return Gpt2Tokenizer.load(dir).decode(tokens, true).strip();
    }

    private static int[] identity(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = i;
        return out;
    }
}
