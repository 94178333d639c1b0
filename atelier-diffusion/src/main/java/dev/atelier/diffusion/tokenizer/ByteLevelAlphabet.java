package dev.atelier.diffusion.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * GPT-2/CLIP's reversible byte-to-character table: printable Latin-1 bytes map to themselves, the other 68 bytes to
 * code points from U+0100 upward, so every byte string becomes a string without spaces or control characters.
 */
final class ByteLevelAlphabet {

    /** Bytes in vocabulary order: the printable ranges first, then the rest (this order fixes ids 0..255). */
    private static final int[] BYTES_IN_VOCAB_ORDER = new int[256];
    private static final char[] CHAR_OF_BYTE = new char[256];

    static {
        boolean[] printable = new boolean[256];
        int index = 0;
        for (int b = 0; b < 256; b++) {
            if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) {
                printable[b] = true;
                CHAR_OF_BYTE[b] = (char) b;
                BYTES_IN_VOCAB_ORDER[index++] = b;
            }
        }
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            if (!printable[b]) {
                CHAR_OF_BYTE[b] = (char) (256 + extra++);
                BYTES_IN_VOCAB_ORDER[index++] = b;
            }
        }
    }

    private ByteLevelAlphabet() {}

    static char charOf(int unsignedByte) { return CHAR_OF_BYTE[unsignedByte]; }

    /** The i-th base symbol of a CLIP vocabulary (ids 0..255; ids 256..511 are the same with {@code </w>}). */
    static String baseSymbol(int i) { return String.valueOf(CHAR_OF_BYTE[BYTES_IN_VOCAB_ORDER[i]]); }

    /** Encodes a piece of text as UTF-8 and maps each byte to its character. */
    static String encode(String piece) {
        byte[] utf8 = piece.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) out[i] = CHAR_OF_BYTE[utf8[i] & 0xFF];
        return new String(out);
    }
}
