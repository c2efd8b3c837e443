package dev.netpol.ebpf.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@KernelTest
class IntrospectionTest {

  @Test
  void listsOurProgramsAndMapsWithTheirFacts() {
    try (BpfObject obj = BpfObject.open(TestObjects.sdkTest()).load()) {
      BpfProgram pass = obj.program("tc_pass");
      BpfMap counters = obj.map("counters");
      ProgramInfo p =
          Introspection.programs().stream()
              .filter(i -> i.id() == pass.id())
              .findFirst()
              .orElseThrow();
      assertEquals("tc_pass", p.name());
      assertEquals(ProgramInfo.TYPE_SCHED_CLS, p.type());
      assertEquals(16, p.tag().length());
      assertTrue(p.mapIds().contains(counters.id()), p.toString());
      MapInfo m =
          Introspection.maps().stream()
              .filter(i -> i.id() == counters.id())
              .findFirst()
              .orElseThrow();
      assertEquals(new MapInfo(counters.id(), MapType.HASH, 1, "counters", 4, 8, 1024, 0), m);
      MapInfo lpm = Introspection.map(obj.map("deny_v4").id()).orElseThrow();
      assertEquals(MapType.LPM_TRIE, lpm.type());
      assertEquals(1, lpm.flags()); // BPF_F_NO_PREALLOC
      assertEquals(Optional.empty(), Introspection.program(Integer.MAX_VALUE));
    }
  }

  @Test
  void runTimeStatisticsCountRunsOnlyWhileEnabled() throws Exception {
    byte[] packet = Packets.ipv4Udp("198.18.10.1", "198.18.10.2");
    try (BpfObject obj = BpfObject.open(TestObjects.sdkTest()).load()) {
      BpfProgram pass = obj.program("tc_pass");
      try (RunTimeStats on = RunTimeStats.enable()) {
        pass.testRun(packet, 100);
        ProgramInfo counted = Introspection.program(pass.id()).orElseThrow();
        assertEquals(100, counted.runCount(), counted.toString());
        assertTrue(counted.runTimeNs() > 0, counted.toString());
      }
      // off again unless someone turned them on node-wide (the sysctl does not count our fd)
      if (Files.readString(STATS_SYSCTL).strip().equals("0")) {
        pass.testRun(packet, 100);
        assertEquals(100, Introspection.program(pass.id()).orElseThrow().runCount());
      }
    }
  }

  private static final Path STATS_SYSCTL = Path.of("/proc/sys/kernel/bpf_stats_enabled");

  @Test
  void dumpsAnyMapDecodedOrHex() {
    try (BpfObject obj = BpfObject.open(TestObjects.sdkTest()).load()) {
      TypedMap<Integer, Long> counters =
          obj.map("counters").typed(Codecs.u32("slot"), Codecs.u64("packets"));
      counters.put(3, 300L);
      int id = counters.raw().id();
      MapDump decoded = Introspection.dump(id, Codecs.u32("slot"), Codecs.u64("packets"));
      assertEquals(1, decoded.entries().size());
      assertEquals("3", decoded.entries().get(0).keyText());
      assertEquals("300", decoded.entries().get(0).valueText());
      MapDump raw = Introspection.dump(id);
      assertEquals("03000000", raw.entries().get(0).keyText());
      assertEquals("2c01000000000000", raw.entries().get(0).valueText());
      assertTrue(raw.toString().contains("03000000 => 2c01000000000000"), raw.toString());
      // LPM keys through a struct codec
      obj.map("deny_v4")
          .typed(LpmV4Key.CODEC, Codecs.u32("v"))
          .put(new LpmV4Key(24, "198.18.10.0"), 9);
      MapDump lpm = Introspection.dump(obj.map("deny_v4").id(), LpmV4Key.CODEC, null);
      assertEquals(
          "LpmV4Key[prefixLength=24, address=198.18.10.0]", lpm.entries().get(0).keyText());
      assertEquals("09000000", lpm.entries().get(0).valueText());
      // a ring buffer has no keys
      assertEquals(0, Introspection.dump(obj.map("events").id()).entries().size());
    }
  }
}
