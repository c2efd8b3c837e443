package dev.netpol.ebpf.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reads struct layouts from the test object's BTF (no kernel needed, only libbpf). */
class BtfLayoutTest {

  @Test
  void readsOffsetsSizesAndPadding() {
    BtfLayout.Struct s = BtfLayout.struct(TestObjects.sdkTest(), "layout_probe");
    assertEquals(40, s.size());
    assertEquals(
        List.of(
            new BtfLayout.Member("prefixlen", 0, 4),
            new BtfLayout.Member("port", 4, 2),
            new BtfLayout.Member("proto", 6, 1),
            new BtfLayout.Member("flags", 7, 1),
            new BtfLayout.Member("addr", 8, 16),
            new BtfLayout.Member("cookie", 24, 8),
            new BtfLayout.Member("tail", 32, 1)),
        s.members());
    assertEquals(new BtfLayout.Member("cookie", 24, 8), s.member("cookie"));
  }

  @Test
  void comparesCodecsAgainstTheCStruct() {
    BtfLayout.Struct key = BtfLayout.struct(TestObjects.sdkTest(), "lpm_v4_key");
    assertEquals(List.of(), key.mismatches(LpmV4Key.CODEC));
    assertEquals(
        List.of(),
        BtfLayout.struct(TestObjects.sdkTest(), "test_event")
            .mismatches(RingBufferReaderTest.Event.CODEC));
    Codec<Integer> wrong =
        new Codec<>() {
          public int size() {
            return 12;
          }

          public void write(Integer v, ByteBuffer out) {}

          public Integer read(ByteBuffer in) {
            return 0;
          }

          public List<Field> fields() {
            return List.of(
                new Field("prefixlen", 0, 4), new Field("addr", 8, 4), new Field("port", 4, 2));
          }
        };
    assertEquals(
        List.of(
            "struct lpm_v4_key is 8 bytes, codec says 12",
            "struct lpm_v4_key.addr is at 4 (4 bytes), codec says 8 (4 bytes)",
            "struct lpm_v4_key has no member 'port'"),
        key.mismatches(wrong));
  }

  @Test
  void readsTheBtfOfAnObjectOpenedFromMemory() throws Exception {
    byte[] elf = java.nio.file.Files.readAllBytes(TestObjects.sdkTest());
    try (BpfObject obj = BpfObject.open("sdk_test", elf, BpfObjectOptions.defaults())) {
      assertEquals(
          BtfLayout.struct(TestObjects.sdkTest(), "layout_probe"),
          BtfLayout.struct(obj, "layout_probe"));
      assertEquals("sdk_test (" + elf.length + " bytes)", obj.source());
      assertTrue(obj.file().isEmpty());
    }
  }

  @Test
  void missingStructIsENOENT() {
    BpfException e =
        assertThrows(BpfException.class, () -> BtfLayout.struct(TestObjects.sdkTest(), "no_such"));
    assertEquals("ENOENT", e.errnoName());
    assertTrue(e.getMessage().contains("struct no_such in "), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> BtfLayout.struct(java.nio.file.Path.of("/nonexistent.o"), "x"));
  }
}
