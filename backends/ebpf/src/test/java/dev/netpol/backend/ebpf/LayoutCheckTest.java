package dev.netpol.backend.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netpol.backend.ebpf.internal.DatapathObject;
import dev.netpol.backend.ebpf.internal.abi.Layout;
import dev.netpol.ebpf.sdk.BtfLayout;
import dev.netpol.ebpf.sdk.Codec;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every Java codec's declared layout equals its struct in the compiled object's BTF (SDK
 * BtfLayout), and declares every member of it. Needs no kernel: BTF is parsed from the file.
 */
class LayoutCheckTest {
  @Test
  void javaCodecsMatchTheObjectsBtf() {
    Path object = DatapathObject.locate().file();
    List<Layout> layouts = Layout.all();
    List<Codec<?>> codecs = Layout.codecs();
    for (int i = 0; i < layouts.size(); i++) {
      BtfLayout.Struct c = BtfLayout.struct(object, layouts.get(i).struct());
      assertEquals(List.of(), c.mismatches(codecs.get(i)), layouts.get(i).struct());
      Set<String> inC =
          c.members().stream().map(BtfLayout.Member::name).collect(Collectors.toSet());
      Set<String> inJava =
          codecs.get(i).fields().stream().map(Codec.Field::name).collect(Collectors.toSet());
      assertEquals(inC, inJava, layouts.get(i).struct() + ": every C member is declared in Java");
    }
  }
}
