package dev.netpol.backend.ebpf.internal.abi;

import java.util.List;

/**
 * The Java declaration of one C struct from bpf/include/netpol_abi.h: its size and the offset and
 * size of every field. LayoutCheckTest compares each against the compiled object's BTF.
 */
public record Layout(String struct, int size, List<Field> fields) {
  public record Field(String name, int offset, int size) {}

  public static Field field(String name, int offset, int size) {
    return new Field(name, offset, size);
  }

  /** Every ABI struct (a method, not a constant: the codecs' own LAYOUT fields use this class). */
  public static List<Layout> all() {
    return List.of(
        RuleKey.LAYOUT,
        RuleValue.LAYOUT,
        CtKey.LAYOUT,
        CtValue.LAYOUT,
        Event.LAYOUT,
        PodInfo.LAYOUT,
        NodeInfo.LAYOUT,
        Holder.LAYOUT,
        CounterKey.LAYOUT,
        Counter.LAYOUT);
  }

  /** The SDK codec of every ABI struct, in the order of {@link #all()}. */
  public static List<dev.netpol.ebpf.sdk.Codec<?>> codecs() {
    return List.of(
        RuleKey.CODEC,
        RuleValue.CODEC,
        CtKey.CODEC,
        CtValue.CODEC,
        Event.CODEC,
        PodInfo.CODEC,
        NodeInfo.CODEC,
        Holder.CODEC,
        CounterKey.CODEC,
        Counter.CODEC);
  }
}
