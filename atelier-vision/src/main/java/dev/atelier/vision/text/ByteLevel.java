package dev.atelier.vision.text;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * GPT-2's reversible byte ↔ character alphabet: printable Latin-1 bytes stand for themselves, the 68 others for code
 * points from U+0100 upward, so any UTF-8 byte string is spelled without spaces or control characters (a space is
 * {@code Ġ}). Decoding maps characters back to bytes before reading UTF-8, because one character of text may be
 * split across several tokens.
 */
public final class ByteLevel {
    private static final char[] CHAR_OF_BYTE = new char[256];
    private static final int[] BYTE_OF_CHAR = new int[512];

    static {
        java.util.Arrays.fill(BYTE_OF_CHAR, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + extra++);
            CHAR_OF_BYTE[b] = c;
            BYTE_OF_CHAR[c] = b;
        }
    }

    private ByteLevel() {}

    /** Text as UTF-8 bytes spelled in the alphabet. */
    public static String encode(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) out[i] = CHAR_OF_BYTE[utf8[i] & 0xFF];
        return new String(out);
    }

    /**
     * Appends the bytes a token spells to {@code out}. A token with a character outside the alphabet (text of an
     * added token) is appended as its own UTF-8, as Hugging Face's byte-level decoder does.
     */
    static void appendBytes(String token, ByteArrayOutputStream out) {
        byte[] spelled = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c >= BYTE_OF_CHAR.length || BYTE_OF_CHAR[c] < 0) {
                out.writeBytes(token.getBytes(StandardCharsets.UTF_8));
                return;
            }
            spelled[i] = (byte) BYTE_OF_CHAR[c];
        }
        out.writeBytes(spelled);
    }

    /** UTF-8 to text, invalid sequences (a character cut off by max length) becoming U+FFFD as Hugging Face does. */
    static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException(e); // cannot happen with REPLACE
        }
    }
}
