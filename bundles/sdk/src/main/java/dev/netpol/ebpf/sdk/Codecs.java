package dev.netpol.ebpf.sdk;

import dev.netpol.ebpf.sdk.internal.Native;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Codecs for scalar keys and values ({@code __u32}, {@code __u64}, {@code __u8[n]}) and the per-CPU
 * value wrapper.
 */
public final class Codecs {
  private Codecs() {}

  /** {@code __u32} as a Java int (read back unsigned with Integer.toUnsignedLong). */
  public static Codec<Integer> u32(String name) {
    return new Codec<>() {
      public int size() {
        return 4;
      }

      public void write(Integer v, ByteBuffer out) {
        out.putInt(v);
      }

      public Integer read(ByteBuffer in) {
        return in.getInt();
      }

      public List<Field> fields() {
        return List.of(new Field(name, 0, 4));
      }

      public String toString() {
        return "u32 " + name;
      }
    };
  }

  /** {@code __u64} as a Java long. */
  public static Codec<Long> u64(String name) {
    return new Codec<>() {
      public int size() {
        return 8;
      }

      public void write(Long v, ByteBuffer out) {
        out.putLong(v);
      }

      public Long read(ByteBuffer in) {
        return in.getLong();
      }

      public List<Field> fields() {
        return List.of(new Field(name, 0, 8));
      }

      public String toString() {
        return "u64 " + name;
      }
    };
  }

  /** A fixed byte array, e.g. an address or an opaque value. */
  public static Codec<byte[]> bytes(String name, int size) {
    return new Codec<>() {
      public int size() {
        return size;
      }

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

      public List<Field> fields() {
        return List.of(new Field(name, 0, size));
      }

      public String toString() {
        return "u8[" + size + "] " + name;
      }
    };
  }

  /** Possible CPUs of this machine: the number of value slots of a per-CPU map. */
  public static int possibleCpus() {
    return Native.bpf().libbpf_num_possible_cpus();
  }

  /**
   * Values of a per-CPU map (PERCPU_HASH/ARRAY, LRU_PERCPU_HASH): one {@code slot} value per
   * possible CPU, each in an 8-byte aligned slot. Writes need exactly {@link #possibleCpus()}
   * values.
   */
  public static <T> Codec<List<T>> perCpu(Codec<T> slot) {
    int cpus = possibleCpus();
    int stride = (slot.size() + 7) & ~7;
    return new Codec<>() {
      public int size() {
        return stride * cpus;
      }

      public void write(List<T> values, ByteBuffer out) {
        if (values.size() != cpus) {
          throw new IllegalArgumentException(
              "per-CPU " + slot + ": " + values.size() + " values for " + cpus + " possible CPUs");
        }
        int base = out.position();
        for (int i = 0; i < cpus; i++) {
          out.position(base + i * stride);
          slot.write(values.get(i), out);
        }
        out.position(base + stride * cpus);
      }

      public List<T> read(ByteBuffer in) {
        int base = in.position();
        List<T> out = new ArrayList<>(cpus);
        for (int i = 0; i < cpus; i++) {
          in.position(base + i * stride);
          out.add(slot.read(in));
        }
        in.position(base + stride * cpus);
        return out;
      }

      public List<Field> fields() {
        List<Field> f = new ArrayList<>();
        for (int i = 0; i < cpus; i++) {
          for (Field x : slot.fields()) {
            f.add(new Field(x.name() + "[cpu" + i + "]", i * stride + x.offset(), x.size()));
          }
        }
        return f;
      }

      public String toString() {
        return "per-CPU " + slot;
      }
    };
  }
}
