package dev.netpol.ebpf.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@KernelTest
class PinsTest {
  private static TestBpffs bpffs;

  @BeforeAll
  static void mount() {
    bpffs = new TestBpffs();
  }

  @AfterAll
  static void unmount() {
    if (bpffs != null) {
      bpffs.close();
    }
  }

  @Test
  void pinAndReopenMapAndProgramFromFreshHandles() {
    Pins pins = bpffs.pins("handles");
    int mapId;
    int progId;
    try (BpfObject obj = BpfObject.open(TestObjects.sdkTest()).load()) {
      BpfMap counters = obj.map("counters");
      counters.put(Codecs.u32("k").encode(5), Codecs.u64("v").encode(55L));
      counters.pin(pins.path("counters"));
      obj.program("tc_drop").pin(pins.path("tc_drop"));
      mapId = counters.id();
      progId = obj.program("tc_drop").id();
    }
    // the object is closed: only the pins keep map and program alive
    try (BpfMap map = BpfMap.openPinned(pins.path("counters"));
        BpfProgram prog = BpfProgram.openPinned(pins.path("tc_drop"))) {
      assertEquals(mapId, map.id());
      assertEquals("counters", map.name());
      assertEquals(55L, Codecs.u64("v").decode(map.get(Codecs.u32("k").encode(5)).orElseThrow()));
      assertEquals(progId, prog.id());
      assertEquals("tc_drop", prog.name());
      assertEquals(
          TestRunTest.TC_ACT_SHOT,
          prog.testRun(Packets.ipv4Udp("198.18.10.1", "198.18.10.2"), 1).retval());
      map.unpin();
      prog.unpin();
    }
    assertFalse(Files.exists(pins.path("counters")));
    BpfException gone =
        assertThrows(BpfException.class, () -> BpfMap.openPinned(pins.path("counters")));
    assertEquals("ENOENT", gone.errnoName());
    assertTrue(gone.getMessage().contains(pins.path("counters").toString()), gone.getMessage());
    pins.removeAll();
    assertFalse(Files.exists(pins.root()));
  }

  @Test
  void reusePinnedMapsKeepsStateAcrossLoads() {
    Pins pins = bpffs.pins("reuse");
    BpfObjectOptions opts =
        BpfObjectOptions.defaults().withPinRoot(pins.root()).withReusePinnedMaps(true);
    int firstId;
    try (BpfObject first = BpfObject.open(TestObjects.sdkTest(), opts).load()) {
      first.map("counters").typed(Codecs.u32("k"), Codecs.u64("v")).put(9, 99L);
      firstId = first.map("counters").id();
      assertEquals(pins.path("counters"), first.map("counters").pinnedAt().orElseThrow());
    }
    assertTrue(pins.exists("counters"));
    assertTrue(pins.exists("deny_v4"));
    assertFalse(pins.exists(".rodata"));
    try (BpfObject second = BpfObject.open(TestObjects.sdkTest(), opts).load()) {
      assertEquals(firstId, second.map("counters").id());
      assertEquals(
          99L, second.map("counters").typed(Codecs.u32("k"), Codecs.u64("v")).get(9).orElseThrow());
    }
    pins.removeAll();
  }

  @Test
  void pinByNameMapsLandUnderThePinRoot() {
    Pins root = new Pins(bpffs.mount.resolve("byname/deeper")); // created by load, not by us
    BpfObjectOptions opts = BpfObjectOptions.defaults().withPinRoot(root.root());
    try (BpfObject obj = BpfObject.open(TestObjects.compile("pinned"), opts).load()) {
      assertTrue(root.exists("shared_state"));
      assertEquals(root.path("shared_state"), obj.map("shared_state").pinnedAt().orElseThrow());
      obj.program("tc_touch").testRun(Packets.ipv4Udp("198.18.10.1", "198.18.10.2"), 1);
    }
    try (BpfMap reopened = BpfMap.openPinned(root.path("shared_state"))) {
      assertEquals(
          2, Codecs.u32("v").decode(reopened.get(Codecs.u32("k").encode(1)).orElseThrow()));
    }
    new Pins(bpffs.mount.resolve("byname")).removeAll();
  }

  @Test
  void explicitMapPinPath() {
    Pins pins = bpffs.pins("explicit");
    Path where = pins.path("my_counters");
    try (BpfObject obj =
        BpfObject.open(
                TestObjects.sdkTest(),
                BpfObjectOptions.defaults().withPinRoot(pins.root()).withMapPin("counters", where))
            .load()) {
      assertTrue(Files.exists(where));
      assertFalse(pins.exists("deny_v4"));
      obj.map("counters").unpin();
      assertFalse(Files.exists(where));
    }
  }

  @Test
  void pinRootOutsideBpffsIsRefusedClearly() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> new Pins(Path.of("/tmp/nps-not-bpffs")).ensureRoot());
    assertTrue(e.getMessage().contains("not on a bpffs mount"), e.getMessage());
    assertTrue(Pins.mountOf(bpffs.mount.resolve("x")).isPresent());
  }
}
