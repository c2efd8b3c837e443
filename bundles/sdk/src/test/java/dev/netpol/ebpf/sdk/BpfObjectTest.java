package dev.netpol.ebpf.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@KernelTest
class BpfObjectTest {

  @Test
  void loadsEveryProgramAndMapThroughTheVerifier() {
    try (BpfObject obj = BpfObject.open(TestObjects.sdkTest()).load()) {
      assertEquals(
          List.of(
              "tc_pass",
              "tc_drop",
              "tc_ifindex",
              "tc_deny_lpm",
              "tc_emit",
              "tc_inner_verdict",
              "tc_deny_set"),
          obj.programs().stream().map(BpfProgram::name).toList());
      for (BpfProgram p : obj.programs()) {
        assertTrue(p.id() > 0 && p.fd() > 0, p.describe());
        assertEquals(ProgramInfo.TYPE_SCHED_CLS, p.info().type(), p.describe());
      }
      BpfMap counters = obj.map("counters");
      assertEquals(MapType.HASH, counters.type());
      assertEquals(4, counters.keySize());
      assertEquals(8, counters.valueSize());
      assertEquals(1024, counters.info().maxEntries());
      assertEquals(MapType.LPM_TRIE, obj.map("deny_v4").type());
      assertEquals(MapType.ARRAY_OF_MAPS, obj.map("verdict_sets").type());
      // the program's map ids are the object's maps
      assertTrue(obj.program("tc_pass").info().mapIds().contains(counters.id()));
    }
  }

  @Test
  void failedLoadCarriesTheVerifierLogOfTheFailingProgram() {
    try (BpfObject obj = BpfObject.open(TestObjects.bad())) {
      BpfException e = assertThrows(BpfException.class, obj::load);
      assertEquals("bpf_object__load", e.operation());
      assertTrue(e.target().contains("program 'tc_unchecked_read'"), e.target());
      assertEquals("EACCES", e.errnoName(), e.getMessage());
      assertEquals(13, e.errno());
      assertTrue(e.verifierLog().contains("invalid access to packet"), e.verifierLog());
      assertTrue(e.getMessage().contains("verifier log:"), e.getMessage());
      assertTrue(e.getMessage().startsWith("bpf_object__load on object "), e.getMessage());
    }
  }

  @Test
  void innerMapTemplateAndSizesAreSetBetweenOpenAndLoad() {
    Codec<Integer> u32 = Codecs.u32("i");
    byte[] packet = Packets.ipv4Udp("198.18.10.1", "198.18.10.2");
    try (BpfMap template = BpfMap.create(MapType.HASH, 4, 4, 8, 0, "nps_tpl");
        BpfObject obj = BpfObject.open(TestObjects.compile("outer"))) {
      obj.setInnerMap("outer", template).setMaxEntries("outer", 64).load();
      assertEquals(64, obj.map("outer").info().maxEntries());
      assertThrows(IllegalStateException.class, () -> obj.setMaxEntries("outer", 8));
      try (BpfMap inner = BpfMap.create(MapType.HASH, 4, 4, 8, 0, "nps_inner")) {
        inner.put(u32.encode(0), u32.encode(TestRunTest.TC_ACT_SHOT));
        obj.map("outer").putInnerMap(u32.encode(0), inner);
      }
      // the outer map holds the inner map after our fd is gone
      assertEquals(TestRunTest.TC_ACT_SHOT, obj.program("tc_outer").testRun(packet, 1).retval());
    }
    try (BpfObject noTemplate = BpfObject.open(TestObjects.compile("outer"))) {
      BpfException e = assertThrows(BpfException.class, noTemplate::load);
      assertEquals("bpf_object__load", e.operation());
      // no program failed: the map is named by libbpf's log line, routed to us and kept
      assertTrue(e.target().contains("libbpf: map 'outer'"), e.target());
    }
    try (BpfObject obj = BpfObject.open(TestObjects.compile("outer"))) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> obj.setMaxEntries("nope", 1));
      assertTrue(
          e.getMessage().contains("no map 'nope'") && e.getMessage().contains("[outer]"),
          e.getMessage());
    }
  }

  @Test
  void loadsFromMemoryLikeFromAFile() throws Exception {
    byte[] elf = Files.readAllBytes(TestObjects.sdkTest());
    try (BpfObject obj = BpfObject.open("sdk_test.o", elf, BpfObjectOptions.defaults()).load()) {
      assertEquals(
          TestRunTest.TC_ACT_SHOT,
          obj.program("tc_drop")
              .testRun(Packets.ipv4Udp("198.18.10.1", "198.18.10.2"), 1)
              .retval());
      assertEquals(7, obj.programs().size());
    }
    BpfException e =
        assertThrows(
            BpfException.class,
            () -> BpfObject.open("junk", new byte[] {1, 2, 3}, BpfObjectOptions.defaults()));
    assertTrue(
        e.getMessage().startsWith("bpf_object__open_mem on object junk (3 bytes): "),
        e.getMessage());
  }

  @Test
  void openingGarbageNamesTheFileAndErrno(@TempDir Path dir) throws Exception {
    Path junk = Files.write(dir.resolve("junk.o"), new byte[] {1, 2, 3, 4});
    BpfException e = assertThrows(BpfException.class, () -> BpfObject.open(junk));
    assertEquals("bpf_object__open_file", e.operation());
    assertTrue(e.getMessage().contains(junk.toString()), e.getMessage());
    // libbpf sets errno to its own LIBBPF_ERRNO__FORMAT (4001) for a file that is not ELF
    assertEquals("LIBBPF_ERRNO__FORMAT", e.errnoName(), e.getMessage());
    assertTrue(
        e.getMessage().endsWith(": LIBBPF_ERRNO__FORMAT (BPF object format invalid)"),
        e.getMessage());
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class, () -> BpfObject.open(dir.resolve("missing.o")));
    assertTrue(missing.getMessage().contains("missing.o"));
  }

  @Test
  void unknownNamesListWhatExists() {
    try (BpfObject obj = BpfObject.open(TestObjects.sdkTest())) {
      IllegalStateException notLoaded =
          assertThrows(IllegalStateException.class, () -> obj.map("counters"));
      assertTrue(notLoaded.getMessage().contains("not loaded"));
      obj.load();
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> obj.map("nope"));
      assertTrue(
          e.getMessage().contains("no map 'nope'") && e.getMessage().contains("counters"),
          e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> obj.program("nope"));
    }
  }

  @Test
  void closingTheObjectClosesItsHandles() {
    BpfObject obj = BpfObject.open(TestObjects.sdkTest()).load();
    BpfMap counters = obj.map("counters");
    obj.close();
    assertThrows(IllegalStateException.class, counters::fd);
    assertThrows(IllegalStateException.class, () -> obj.program("tc_pass"));
  }
}
