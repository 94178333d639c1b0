package dev.atelier.testkit.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTest {

    @Test
    void headerMetadataAndTensorsFollowTheGgufLayout() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new GgufWriter()
                .putString("general.architecture", "llama")
                .putUint32("llama.block_count", 3)
                .putStrings("tokenizer.ggml.tokens", List.of("a", "bc"))
                .tensor("w", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6})
                .tensor("v", new long[] {1}, new float[] {-7})
                .write(bytes);
        ByteBuffer in = ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);

        assertThat(new String(bytes.toByteArray(), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("GGUF");
        in.position(4);
        assertThat(in.getInt()).isEqualTo(3);
        assertThat(in.getLong()).isEqualTo(2);
        assertThat(in.getLong()).isEqualTo(3);
        assertThat(readString(in)).isEqualTo("general.architecture");
        assertThat(in.getInt()).isEqualTo(8);
        assertThat(readString(in)).isEqualTo("llama");
        assertThat(readString(in)).isEqualTo("llama.block_count");
        assertThat(in.getInt()).isEqualTo(4);
        assertThat(in.getInt()).isEqualTo(3);
        assertThat(readString(in)).isEqualTo("tokenizer.ggml.tokens");
        assertThat(in.getInt()).isEqualTo(9);
        assertThat(in.getInt()).isEqualTo(8);
        assertThat(in.getLong()).isEqualTo(2);
        assertThat(readString(in)).isEqualTo("a");
        assertThat(readString(in)).isEqualTo("bc");

        assertThat(readString(in)).isEqualTo("w");
        assertThat(in.getInt()).isEqualTo(2);
        assertThat(in.getLong()).isEqualTo(2);
        assertThat(in.getLong()).isEqualTo(3);
        assertThat(in.getInt()).isZero();
        long firstOffset = in.getLong();
        assertThat(readString(in)).isEqualTo("v");
        assertThat(in.getInt()).isEqualTo(1);
        assertThat(in.getLong()).isEqualTo(1);
        assertThat(in.getInt()).isZero();
        long secondOffset = in.getLong();
        assertThat(firstOffset).isZero();
        assertThat(secondOffset).isEqualTo(32); // 24 bytes of data padded to the alignment

        int dataStart = (in.position() + 31) / 32 * 32;
        assertThat(in.getFloat(dataStart + 5 * 4)).isEqualTo(6f);
        assertThat(in.getFloat(dataStart + (int) secondOffset)).isEqualTo(-7f);
        assertThat(bytes.size()).isEqualTo(dataStart + 64);
    }

    @Test
    void rejectsDataThatDoesNotMatchTheDimensions() {
        assertThatThrownBy(() -> new GgufWriter().tensor("x", new long[] {2, 2}, new float[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x");
    }

    @Test
    void tinyLlamaIsSeededAndCarriesAChatTemplate(@TempDir Path dir) throws Exception {
        Path a = TinyLlamaGguf.defaults().withSeed(5).writeTo(dir.resolve("a.gguf"));
        Path b = TinyLlamaGguf.defaults().withSeed(5).writeTo(dir.resolve("b.gguf"));
        Path c = TinyLlamaGguf.defaults().withSeed(6).writeTo(dir.resolve("c.gguf"));
        byte[] bytesA = Files.readAllBytes(a);
        assertThat(bytesA).isEqualTo(Files.readAllBytes(b));
        assertThat(bytesA).isNotEqualTo(Files.readAllBytes(c));
        assertThat(new String(bytesA, StandardCharsets.ISO_8859_1)).contains("tokenizer.chat_template", "<|im_start|>");
        assertThat(bytesA.length).isLessThan(1_000_000);
        List<String> vocab = TinyLlamaGguf.vocabulary();
        assertThat(vocab.get(TinyLlamaGguf.FIRST_BYTE_ID + 0x41)).isEqualTo("<0x41>");
        assertThat(vocab.get(TinyLlamaGguf.IM_END_ID)).isEqualTo("<|im_end|>");
    }

    private static String readString(ByteBuffer in) {
        int n = (int) in.getLong();
        byte[] b = new byte[n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
