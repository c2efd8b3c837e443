package dev.netpol.ebpf.sdk;

import dev.netpol.ebpf.sdk.internal.LibBpf;
import dev.netpol.ebpf.sdk.internal.Native;
import dev.netpol.ebpf.sdk.internal.Structs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * Reads struct layouts from the BTF of a compiled BPF object (clang -g), so Java codecs can be
 * checked against the C structs they mirror:
 *
 * <pre>{@code
 * BtfLayout.Struct rule = BtfLayout.struct(objectFile, "rule_key");
 * assertEquals(List.of(), rule.mismatches(RuleKey.CODEC));
 * }</pre>
 *
 * Members of anonymous nested structs/unions are flattened with their offsets adjusted.
 */
public final class BtfLayout {
  private static final int KIND_STRUCT = Structs.BTF_KIND_STRUCT;
  private static final int KIND_UNION = Structs.BTF_KIND_UNION;

  private BtfLayout() {}

  /**
   * One member: name, byte offset, byte size (bit-fields: the byte holding the first bit, size 0).
   */
  public record Member(String name, int offset, int size) {}

  /** A struct's name, total size (sizeof) and members in declaration order. */
  public record Struct(String name, int size, List<Member> members) {
    public Struct {
      members = List.copyOf(members);
    }

    /** The member called {@code name}. */
    public Member member(String memberName) {
      return members.stream()
          .filter(m -> m.name().equals(memberName))
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "struct "
                          + name
                          + " has no member '"
                          + memberName
                          + "' (members: "
                          + members.stream().map(Member::name).toList()
                          + ")"));
    }

    /**
     * Differences between this struct and a codec's declared layout, one readable line each: total
     * size, and every codec field's offset and size against the member of that name. Empty when
     * they agree.
     */
    public List<String> mismatches(Codec<?> codec) {
      List<String> out = new ArrayList<>();
      if (codec.size() != size) {
        out.add("struct " + name + " is " + size + " bytes, codec says " + codec.size());
      }
      for (Codec.Field f : codec.fields()) {
        Member m = members.stream().filter(x -> x.name().equals(f.name())).findFirst().orElse(null);
        if (m == null) {
          out.add("struct " + name + " has no member '" + f.name() + "'");
        } else if (m.offset() != f.offset() || m.size() != f.size()) {
          out.add(
              "struct "
                  + name
                  + "."
                  + f.name()
                  + " is at "
                  + m.offset()
                  + " ("
                  + m.size()
                  + " bytes), codec says "
                  + f.offset()
                  + " ("
                  + f.size()
                  + " bytes)");
        }
      }
      return out;
    }
  }

  /** The layout of {@code struct structName} in the object's BTF. */
  public static Struct struct(Path objectFile, String structName) {
    if (!Files.isRegularFile(objectFile)) {
      throw new IllegalArgumentException("BPF object " + objectFile + " does not exist");
    }
    LibBpf bpf = Native.bpf();
    Pointer btf = bpf.btf__parse_elf(objectFile.toString(), null);
    if (btf == null) {
      throw new BpfException(
          "btf__parse_elf", "object " + objectFile + " (compiled with -g?)", Native.lastErrno());
    }
    try {
      return read(btf, structName, "struct " + structName + " in " + objectFile);
    } finally {
      bpf.btf__free(btf);
    }
  }

  /** The layout of {@code struct structName} in the BTF of an opened (or loaded) object. */
  public static Struct struct(BpfObject object, String structName) {
    Pointer btf = Native.bpf().bpf_object__btf(object.handle());
    if (btf == null) {
      throw new IllegalArgumentException(
          "object " + object.source() + " has no BTF (compile with clang -g)");
    }
    return read(btf, structName, "struct " + structName + " in " + object.source());
  }

  private static Struct read(Pointer btf, String structName, String where) {
    LibBpf bpf = Native.bpf();
    int id = bpf.btf__find_by_name_kind(btf, structName, KIND_STRUCT);
    if (id < 0) {
      throw new BpfException("btf__find_by_name_kind", where, -id);
    }
    Pointer type = bpf.btf__type_by_id(btf, id);
    int size = type.getInt(8);
    List<Member> members = new ArrayList<>();
    collect(bpf, btf, type, 0, where, members);
    return new Struct(structName, size, members);
  }

  private static void collect(
      LibBpf bpf, Pointer btf, Pointer type, int baseOffset, String where, List<Member> out) {
    int info = type.getInt(4);
    int vlen = info & 0xffff;
    boolean kindFlag = (info >>> 31) != 0;
    for (int i = 0; i < vlen; i++) {
      long at = Structs.BTF_TYPE_SIZE + (long) i * Structs.BTF_MEMBER_SIZE;
      int nameOff = type.getInt(at);
      int typeId = type.getInt(at + 4);
      int rawOffset = type.getInt(at + 8);
      int bitOffset = kindFlag ? rawOffset & 0xffffff : rawOffset;
      int bitfieldSize = kindFlag ? rawOffset >>> 24 : 0;
      int offset = baseOffset + bitOffset / 8;
      String name = bpf.btf__name_by_offset(btf, nameOff);
      if (name == null || name.isEmpty()) {
        Pointer nested = resolveComposite(bpf, btf, typeId);
        if (nested != null) {
          collect(bpf, btf, nested, offset, where, out);
          continue;
        }
        name = "";
      }
      long size = bitfieldSize > 0 ? 0 : bpf.btf__resolve_size(btf, typeId);
      if (size < 0) {
        throw new BpfException(
            "btf__resolve_size", "member '" + name + "' of " + where, (int) -size);
      }
      out.add(new Member(name, offset, (int) size));
    }
  }

  /** The struct/union behind typedefs/modifiers of an anonymous member, or null. */
  private static Pointer resolveComposite(LibBpf bpf, Pointer btf, int typeId) {
    Pointer t = bpf.btf__type_by_id(btf, typeId);
    int kind = t == null ? -1 : (t.getInt(4) >>> 24) & 0x1f;
    return kind == KIND_STRUCT || kind == KIND_UNION ? t : null;
  }
}
