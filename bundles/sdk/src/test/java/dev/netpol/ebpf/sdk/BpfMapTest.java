package dev.netpol.ebpf.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@KernelTest
class BpfMapTest {
  private BpfObject obj;
  private TypedMap<Integer, Long> counters;

  @BeforeEach
  void load() {
    obj = BpfObject.open(TestObjects.sdkTest()).load();
    counters = obj.map("counters").typed(Codecs.u32("slot"), Codecs.u64("packets"));
  }

  @AfterEach
  void close() {
    obj.close();
  }

  @Test
  void hashCrud() {
    assertEquals(Optional.empty(), counters.get(7));
    counters.put(7, 70L);
    assertEquals(70L, counters.get(7).orElseThrow());
    counters.put(7, 71L, UpdateFlag.EXIST);
    assertEquals(71L, counters.get(7).orElseThrow());
    assertEquals(List.of(7), counters.keys());
    assertTrue(counters.delete(7));
    assertFalse(counters.delete(7));
    assertEquals(Optional.empty(), counters.get(7));
  }

  @Test
  void updateFlagViolationsCarryErrnoAndMapName() {
    counters.put(1, 1L);
    BpfException exists =
        assertThrows(BpfException.class, () -> counters.put(1, 2L, UpdateFlag.NO_EXIST));
    assertEquals("EEXIST", exists.errnoName());
    assertEquals(17, exists.errno());
    int id = counters.raw().id();
    assertTrue(
        exists
            .getMessage()
            .startsWith("bpf_map_update_elem on map 'counters' (id " + id + "): EEXIST"),
        exists.getMessage());
    BpfException absent =
        assertThrows(BpfException.class, () -> counters.put(2, 2L, UpdateFlag.EXIST));
    assertEquals("ENOENT", absent.errnoName());
  }

  @Test
  void fullHashIsE2big() {
    try (BpfMap small = BpfMap.create(MapType.HASH, 4, 8, 2, 0, "nps_small")) {
      TypedMap<Integer, Long> m = small.typed(Codecs.u32("k"), Codecs.u64("v"));
      m.put(1, 1L);
      m.put(2, 2L);
      BpfException e = assertThrows(BpfException.class, () -> m.put(3, 3L));
      assertEquals("E2BIG", e.errnoName());
      assertTrue(
          e.getMessage().contains("map 'nps_small' (id " + small.id() + "): E2BIG"),
          e.getMessage());
    }
  }

  @Test
  void codecsAndRawBytesMustMatchTheKernelSizes() {
    IllegalArgumentException wrongCodec =
        assertThrows(
            IllegalArgumentException.class,
            () -> obj.map("counters").typed(Codecs.u64("slot"), Codecs.u64("v")));
    assertTrue(
        wrongCodec.getMessage().contains("map 'counters'")
            && wrongCodec.getMessage().contains("key_size is 4"),
        wrongCodec.getMessage());
    IllegalArgumentException wrongKey =
        assertThrows(IllegalArgumentException.class, () -> obj.map("counters").get(new byte[3]));
    assertTrue(wrongKey.getMessage().contains("key is 3 bytes"), wrongKey.getMessage());
  }

  @Test
  void batchUpdateLookupDeleteOnHash() {
    Map<Integer, Long> many = new LinkedHashMap<>();
    IntStream.range(100, 400).forEach(i -> many.put(i, i * 10L));
    assertEquals(300, counters.putAll(many));
    List<BpfMap.Entry> raw = counters.raw().lookupBatch(32);
    assertEquals(300, raw.size());
    assertEquals(many, counters.entries());
    List<Integer> half = new ArrayList<>(many.keySet()).subList(0, 150);
    assertEquals(150, counters.deleteAll(half));
    assertEquals(150, counters.keys().size());
    assertEquals(Optional.empty(), counters.get(100));
    assertEquals(3990L, counters.get(399).orElseThrow());
    BpfException missing =
        assertThrows(
            BpfException.class,
            () -> counters.raw().deleteBatch(List.of(Codecs.u32("k").encode(100))));
    assertEquals("ENOENT", missing.errnoName());
    assertTrue(missing.operation().startsWith("bpf_map_delete_batch"));
    // absent keys among present ones are skipped, the rest deleted
    List<byte[]> mixed = new ArrayList<>();
    for (int i = 140; i < 260; i++) {
      mixed.add(Codecs.u32("k").encode(i)); // 140..249 absent, 250..259 present
    }
    mixed.add(Codecs.u32("k").encode(300));
    mixed.add(Codecs.u32("k").encode(5)); // absent at the end
    assertEquals(11, counters.raw().deleteBatchPresent(mixed));
    assertEquals(139, counters.keys().size());
    assertEquals(Optional.empty(), counters.get(255));
    assertEquals(0, counters.raw().deleteBatchPresent(List.of()));
  }

  @Test
  void batchOnArray() {
    TypedMap<Integer, Long> slots = obj.map("slots").typed(Codecs.u32("i"), Codecs.u64("v"));
    Map<Integer, Long> values = new LinkedHashMap<>();
    IntStream.range(0, 16).forEach(i -> values.put(i, 1000L + i));
    assertEquals(16, slots.putAll(values));
    assertEquals(values, slots.entries());
    assertEquals(1015L, slots.get(15).orElseThrow());
  }

  @Test
  void lpmTrieLongestPrefixMatch() {
    TypedMap<LpmV4Key, Integer> deny =
        obj.map("deny_v4").typed(LpmV4Key.CODEC, Codecs.u32("verdict"));
    assertFalse(deny.raw().type().supportsBatch());
    deny.putAll(Map.of(new LpmV4Key(24, "198.18.10.0"), 1, new LpmV4Key(25, "198.18.10.128"), 2));
    assertEquals(Optional.of(2), deny.get(new LpmV4Key(32, "198.18.10.200")));
    assertEquals(Optional.of(1), deny.get(new LpmV4Key(32, "198.18.10.5")));
    assertEquals(Optional.empty(), deny.get(new LpmV4Key(32, "198.18.11.5")));
    assertEquals(2, deny.keys().size());
    assertEquals(
        Map.of(new LpmV4Key(24, "198.18.10.0"), 1, new LpmV4Key(25, "198.18.10.128"), 2),
        deny.entries());
    assertTrue(deny.delete(new LpmV4Key(25, "198.18.10.128")));
    assertEquals(Optional.of(1), deny.get(new LpmV4Key(32, "198.18.10.200")));
    // and the datapath sees it: a packet from 198.18.10.7 is dropped, one from 198.18.11.7 is not
    BpfProgram prog = obj.program("tc_deny_lpm");
    assertEquals(
        TestRunTest.TC_ACT_SHOT,
        prog.testRun(Packets.ipv4Udp("198.18.10.7", "198.18.10.2"), 1).retval());
    assertEquals(
        TestRunTest.TC_ACT_OK,
        prog.testRun(Packets.ipv4Udp("198.18.11.7", "198.18.10.2"), 1).retval());
  }

  @Test
  void innerMapSwapIsSeenByTheProgram() {
    BpfMap outer = obj.map("verdict_sets");
    Codec<Integer> u32 = Codecs.u32("i");
    BpfProgram prog = obj.program("tc_inner_verdict");
    byte[] packet = Packets.ipv4Udp("198.18.10.1", "198.18.10.2");
    try (BpfMap allow = BpfMap.create(MapType.ARRAY, 4, 4, 4, 0, "nps_allow");
        BpfMap deny = BpfMap.create(MapType.ARRAY, 4, 4, 4, 0, "nps_deny")) {
      allow.put(u32.encode(0), u32.encode(TestRunTest.TC_ACT_OK));
      deny.put(u32.encode(0), u32.encode(TestRunTest.TC_ACT_SHOT));
      assertEquals(-1, prog.testRun(packet, 1).retval()); // TC_ACT_UNSPEC: no set installed
      outer.putInnerMap(u32.encode(0), allow);
      assertEquals(allow.id(), outer.innerMapId(u32.encode(0)).orElseThrow());
      assertEquals(TestRunTest.TC_ACT_OK, prog.testRun(packet, 1).retval());
      outer.putInnerMap(u32.encode(0), deny);
      assertEquals(deny.id(), outer.innerMapId(u32.encode(0)).orElseThrow());
      assertEquals(TestRunTest.TC_ACT_SHOT, prog.testRun(packet, 1).retval());
      // an inner map of another shape is refused by the kernel
      try (BpfMap wrong = BpfMap.create(MapType.HASH, 4, 4, 4, 0, "nps_wrong")) {
        BpfException e =
            assertThrows(BpfException.class, () -> outer.putInnerMap(u32.encode(1), wrong));
        assertEquals("EINVAL", e.errnoName());
      }
    }
  }

  @Test
  void lpmTriesOfAnySizeSwapIntoAnArrayOfMaps() {
    BpfMap outer = obj.map("deny_sets");
    BpfProgram prog = obj.program("tc_deny_set");
    byte[] from7 = Packets.ipv4Udp("198.18.10.7", "198.18.10.2");
    byte[] from9 = Packets.ipv4Udp("198.18.10.9", "198.18.10.2");
    byte[] slot = Codecs.u32("i").encode(0);
    // the template in the object has max_entries 16; these tries are sized freely
    try (BpfMap first = BpfMap.create(MapType.LPM_TRIE, 8, 4, 4096, 1, "nps_set1");
        BpfMap second = BpfMap.create(MapType.LPM_TRIE, 8, 4, 2, 1, "nps_set2")) {
      first.typed(LpmV4Key.CODEC, Codecs.u32("v")).put(new LpmV4Key(32, "198.18.10.7"), 1);
      second.typed(LpmV4Key.CODEC, Codecs.u32("v")).put(new LpmV4Key(32, "198.18.10.9"), 1);
      outer.putInnerMap(slot, first);
      assertEquals(TestRunTest.TC_ACT_SHOT, prog.testRun(from7, 1).retval());
      assertEquals(TestRunTest.TC_ACT_OK, prog.testRun(from9, 1).retval());
      outer.putInnerMap(slot, second);
      assertEquals(TestRunTest.TC_ACT_OK, prog.testRun(from7, 1).retval());
      assertEquals(TestRunTest.TC_ACT_SHOT, prog.testRun(from9, 1).retval());
      // key and value sizes must match the template
      try (BpfMap wider = BpfMap.create(MapType.LPM_TRIE, 20, 4, 16, 1, "nps_set3")) {
        BpfException e = assertThrows(BpfException.class, () -> outer.putInnerMap(slot, wider));
        assertEquals("EINVAL", e.errnoName());
        assertTrue(e.getMessage().contains("map 'deny_sets'"), e.getMessage());
      }
      // LPM tries need BPF_F_NO_PREALLOC; the kernel refuses one without
      BpfException noPrealloc =
          assertThrows(
              BpfException.class, () -> BpfMap.create(MapType.LPM_TRIE, 8, 4, 16, 0, "nps_set4"));
      assertEquals("EINVAL", noPrealloc.errnoName());
      assertTrue(
          noPrealloc.getMessage().startsWith("bpf_map_create on new LPM_TRIE map 'nps_set4'"),
          noPrealloc.getMessage());
    }
  }

  @Test
  void perCpuValuesOneSlotPerCpu() {
    int cpus = Codecs.possibleCpus();
    assertTrue(cpus >= 1);
    try (BpfMap m = BpfMap.create(MapType.PERCPU_ARRAY, 4, 4, 2, 0, "nps_percpu")) {
      assertEquals(8 * cpus, m.valueBufferSize());
      TypedMap<Integer, List<Integer>> t =
          m.typed(Codecs.u32("i"), Codecs.perCpu(Codecs.u32("count")));
      List<Integer> values = IntStream.range(0, cpus).map(i -> 10 + i).boxed().toList();
      t.put(1, values);
      assertEquals(values, t.get(1).orElseThrow());
      assertEquals(values, t.entries().get(1));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> m.typed(Codecs.u32("i"), Codecs.u32("count")));
      assertTrue(e.getMessage().contains("per-CPU"), e.getMessage());
    }
  }

  @Test
  void standaloneOuterMapWithTemplate() {
    Codec<Integer> u32 = Codecs.u32("i");
    try (BpfMap template = BpfMap.create(MapType.HASH, 4, 4, 8, 0, "nps_tpl");
        BpfMap outer = BpfMap.createOuter(MapType.HASH_OF_MAPS, 4, 8, template, "nps_outer");
        BpfMap inner = BpfMap.create(MapType.HASH, 4, 4, 8, 0, "nps_inner")) {
      assertEquals(MapType.HASH_OF_MAPS, outer.type());
      outer.putInnerMap(u32.encode(42), inner);
      assertEquals(inner.id(), outer.innerMapId(u32.encode(42)).orElseThrow());
      assertTrue(outer.delete(u32.encode(42)));
    }
  }

  @Test
  void severalInnerMapsInOneBatch() {
    Codec<Integer> u32 = Codecs.u32("i");
    try (BpfMap template = BpfMap.create(MapType.HASH, 4, 4, 8, 0, "nps_tpl");
        BpfMap outer = BpfMap.createOuter(MapType.HASH_OF_MAPS, 4, 8, template, "nps_outer");
        BpfMap a = BpfMap.create(MapType.HASH, 4, 4, 8, 0, "nps_a");
        BpfMap b = BpfMap.create(MapType.HASH, 4, 4, 8, 0, "nps_b")) {
      outer.putInnerMaps(List.of(u32.encode(1), u32.encode(2)), List.of(a, b));
      assertEquals(a.id(), outer.innerMapId(u32.encode(1)).orElseThrow());
      assertEquals(b.id(), outer.innerMapId(u32.encode(2)).orElseThrow());
      outer.putInnerMaps(List.of(u32.encode(1)), List.of(b));
      assertEquals(b.id(), outer.innerMapId(u32.encode(1)).orElseThrow(), "replaced");
      assertThrows(
          IllegalStateException.class,
          () -> template.putInnerMaps(List.of(u32.encode(1)), List.of(a)),
          "not a map-in-map");
    }
  }
}
