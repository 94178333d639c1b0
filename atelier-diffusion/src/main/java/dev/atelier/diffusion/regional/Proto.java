package dev.atelier.diffusion.regional;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The protobuf wire format, just enough to read an ONNX model's graph, change some nodes and write it back: every
 * field is kept as read (initializers, external-data references, metadata pass through untouched byte for byte).
 */
final class Proto {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    /** One field: its number, wire type, and value (varints and fixed values in {@code number}, else {@code bytes}). */
    record Field(int number, int wireType, long value, byte[] bytes) {
        static Field varint(int number, long value) { return new Field(number, VARINT, value, null); }

        static Field bytes(int number, byte[] bytes) { return new Field(number, LENGTH_DELIMITED, 0, bytes); }

        static Field string(int number, String s) { return bytes(number, s.getBytes(StandardCharsets.UTF_8)); }

        static Field message(int number, List<Field> fields) { return bytes(number, write(fields)); }

        String string() { return new String(bytes, StandardCharsets.UTF_8); }

        List<Field> message() { return read(bytes); }
    }

    private Proto() {}

    static List<Field> read(byte[] data) {
        List<Field> fields = new ArrayList<>();
        int[] at = {0};
        while (at[0] < data.length) {
            long tag = varint(data, at);
            int number = (int) (tag >>> 3);
            int type = (int) (tag & 7);
            switch (type) {
                case VARINT -> fields.add(new Field(number, type, varint(data, at), null));
                case FIXED64 -> {
                    fields.add(new Field(number, type, little(data, at[0], 8), null));
                    at[0] += 8;
                }
                case FIXED32 -> {
                    fields.add(new Field(number, type, little(data, at[0], 4), null));
                    at[0] += 4;
                }
                case LENGTH_DELIMITED -> {
                    int length = (int) varint(data, at);
                    if (length < 0 || at[0] + length > data.length) throw new IllegalArgumentException("truncated protobuf");
                    byte[] b = new byte[length];
                    System.arraycopy(data, at[0], b, 0, length);
                    at[0] += length;
                    fields.add(new Field(number, type, 0, b));
                }
                default -> throw new IllegalArgumentException("unsupported protobuf wire type " + type);
            }
        }
        return fields;
    }

    static byte[] write(List<Field> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Field f : fields) {
            writeVarint(out, ((long) f.number() << 3) | f.wireType());
            switch (f.wireType()) {
                case VARINT -> writeVarint(out, f.value());
                case FIXED64 -> { for (int i = 0; i < 8; i++) out.write((int) (f.value() >>> (8 * i)) & 0xff); }
                case FIXED32 -> { for (int i = 0; i < 4; i++) out.write((int) (f.value() >>> (8 * i)) & 0xff); }
                default -> {
                    writeVarint(out, f.bytes().length);
                    out.writeBytes(f.bytes());
                }
            }
        }
        return out.toByteArray();
    }

    static List<String> strings(List<Field> fields, int number) {
        List<String> out = new ArrayList<>();
        for (Field f : fields) if (f.number() == number) out.add(f.string());
        return out;
    }

    static String string(List<Field> fields, int number, String absent) {
        for (Field f : fields) if (f.number() == number) return f.string();
        return absent;
    }

    static long varintField(List<Field> fields, int number, long absent) {
        for (Field f : fields) if (f.number() == number && f.wireType() == VARINT) return f.value();
        return absent;
    }

    static Field first(List<Field> fields, int number) {
        for (Field f : fields) if (f.number() == number) return f;
        return null;
    }

    private static long varint(byte[] data, int[] at) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at[0] >= data.length) throw new IllegalArgumentException("truncated protobuf varint");
            byte b = data[at[0]++];
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new IllegalArgumentException("malformed protobuf varint");
    }

    private static long little(byte[] data, int at, int n) {
        if (at + n > data.length) throw new IllegalArgumentException("truncated protobuf");
        long v = 0;
        for (int i = 0; i < n; i++) v |= (long) (data[at + i] & 0xff) << (8 * i);
        return v;
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
