package dev.netpol.backend.ebpf.internal.kernel;

import static dev.netpol.backend.ebpf.internal.kernel.Libbpf.LIB;

import dev.netpol.backend.ebpf.internal.abi.Layout;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * Reads a struct's layout from an object's BTF: size, and each member's name, byte offset and
 * size, with anonymous unions and structs flattened into their parent (as C code sees them).
 */
public final class BtfStructs {
  private static final int KIND_STRUCT = 4;
  private static final int KIND_UNION = 5;

  private BtfStructs() {}

  public static Layout read(ObjectFile obj, String struct) {
    Pointer btf = obj.btf();
    if (btf == null) {
      throw new IllegalStateException("object has no BTF (built without -g?)");
    }
    int id = LIB.btf__find_by_name_kind(btf, struct, KIND_STRUCT);
    if (id < 0) {
      throw new IllegalArgumentException("struct " + struct + " is not in the object's BTF");
    }
    Pointer t = LIB.btf__type_by_id(btf, id);
    List<Layout.Field> fields = new ArrayList<>();
    members(btf, t, 0, fields);
    return new Layout(struct, t.getInt(8), fields);
  }

  private static void members(Pointer btf, Pointer t, int base, List<Layout.Field> out) {
    int info = t.getInt(4);
    int vlen = info & 0xffff;
    boolean bitfields = (info >>> 31) != 0;
    for (int i = 0; i < vlen; i++) {
      long m = 12 + 12L * i;
      String name = LIB.btf__name_by_offset(btf, t.getInt(m));
      int type = t.getInt(m + 4);
      int bits = t.getInt(m + 8);
      int offset = base + (bitfields ? bits & 0xffffff : bits) / 8;
      Pointer mt = LIB.btf__type_by_id(btf, type);
      int kind = (mt.getInt(4) >>> 24) & 0x1f;
      if ((name == null || name.isEmpty()) && (kind == KIND_STRUCT || kind == KIND_UNION)) {
        members(btf, mt, offset, out);
      } else {
        out.add(new Layout.Field(name, offset, (int) LIB.btf__resolve_size(btf, type)));
      }
    }
  }
}
