package dev.netpol.backend.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netpol.backend.ebpf.internal.DatapathObject;
import dev.netpol.backend.ebpf.internal.abi.Layout;
import dev.netpol.backend.ebpf.internal.kernel.BtfStructs;
import dev.netpol.backend.ebpf.internal.kernel.ObjectFile;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every Java codec's declared layout equals the struct in the compiled object's BTF (no kernel needed). */
class LayoutCheckTest {
  @Test
  void javaCodecsMatchTheObjectsBtf() {
    try (ObjectFile obj = ObjectFile.open(DatapathObject.locate().file())) {
      for (Layout java : Layout.all()) {
        Layout c = BtfStructs.read(obj, java.struct());
        assertEquals(c.size(), java.size(), java.struct() + " size");
        Comparator<Layout.Field> order = Comparator.comparingInt(Layout.Field::offset).thenComparing(Layout.Field::name);
        List<Layout.Field> expected = c.fields().stream().sorted(order).toList();
        List<Layout.Field> actual = java.fields().stream().sorted(order).toList();
        assertEquals(expected, actual, java.struct() + " fields (name, offset, size)");
      }
    }
  }
}
