package dev.netpol.ebpf.sdk;

import java.nio.ByteBuffer;
import java.util.List;

/** Codecs for scalar keys and values: {@code __u32}, {@code __u64}, {@code __u8[n]}. */
public final class Codecs {
    private Codecs() {}

    /** {@code __u32} as a Java int (read back unsigned with Integer.toUnsignedLong). */
    public static Codec<Integer> u32(String name) {
        return new Codec<>() {
            public int size() { return 4; }
            public void write(Integer v, ByteBuffer out) { out.putInt(v); }
            public Integer read(ByteBuffer in) { return in.getInt(); }
            public List<Field> fields() { return List.of(new Field(name, 0, 4)); }
            public String toString() { return "u32 " + name; }
        };
    }

    /** {@code __u64} as a Java long. */
    public static Codec<Long> u64(String name) {
        return new Codec<>() {
            public int size() { return 8; }
            public void write(Long v, ByteBuffer out) { out.putLong(v); }
            public Long read(ByteBuffer in) { return in.getLong(); }
            public List<Field> fields() { return List.of(new Field(name, 0, 8)); }
            public String toString() { return "u64 " + name; }
        };
    }

    /** A fixed byte array, e.g. an address or an opaque value. */
    public static Codec<byte[]> bytes(String name, int size) {
        return new Codec<>() {
            public int size() { return size; }
            public void write(byte[] v, ByteBuffer out) {
                if (v.length != size) {
                    throw new IllegalArgumentException(name + ": " + v.length + " bytes, expected " + size);
                }
                out.put(v);
            }
            public byte[] read(ByteBuffer in) {
                byte[] b = new byte[size];
                in.get(b);
                return b;
            }
            public List<Field> fields() { return List.of(new Field(name, 0, size)); }
            public String toString() { return "u8[" + size + "] " + name; }
        };
    }
}
