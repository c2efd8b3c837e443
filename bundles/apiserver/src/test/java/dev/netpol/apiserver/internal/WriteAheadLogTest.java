package dev.netpol.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The write-ahead log: recovery of exactly the intact prefix, group commit, compaction. */
class WriteAheadLogTest {
  private static final ResourceType CM = ResourceRegistry.CONFIGMAPS;

  @TempDir Path dir;

  private static ObjectNode cm(String name, String value) {
    ObjectNode o = Json.object().put("apiVersion", "v1").put("kind", "ConfigMap");
    o.putObject("metadata").put("name", name).put("namespace", "ns");
    o.putObject("data").put("v", value);
    return o;
  }

  /** A store on dir with a running log (never closed: the tests "crash" by walking away). */
  private static ObjectStore open(Path dir, long compactionBytes) throws IOException {
    StateFile snapshots = new StateFile(dir);
    WriteAheadLog.Recovered r = WriteAheadLog.recover(dir, snapshots);
    ObjectStore store = new ObjectStore();
    store.load(r.resourceVersion(), r.objects());
    WriteAheadLog wal = new WriteAheadLog(dir, snapshots, store, Duration.ZERO, compactionBytes);
    wal.open();
    store.attach(wal);
    lastWal = wal;
    return store;
  }

  private static WriteAheadLog lastWal;

  /** name -> value, and the resourceVersion, of what recovery finds in dir. */
  private static Map<String, String> recovered(Path dir) throws IOException {
    WriteAheadLog.Recovered r = WriteAheadLog.recover(dir, new StateFile(dir));
    Map<String, String> out = new TreeMap<>();
    r.objects()
        .getOrDefault(CM.storageKey(), List.of())
        .forEach(o -> out.put(Json.name(o), Json.text(o, "data", "v")));
    out.put("@rv", Long.toString(r.resourceVersion()));
    return out;
  }

  /** The expected state after the first n of the changes written by writeChanges. */
  private static Map<String, String> expectedAfter(long baseRv, int n) {
    Map<String, String> out = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      applyChange(out, i);
    }
    out.put("@rv", Long.toString(baseRv + n));
    return out;
  }

  /** Change i: creates of a0..a4, then updates, then a delete of a1, then more updates. */
  private static void applyChange(Map<String, String> state, int i) {
    if (i < 5) {
      state.put("a" + i, "v" + i);
    } else if (i == 8) {
      state.remove("a1");
    } else {
      state.put("a" + (i % 5 == 1 ? 0 : i % 5), "v" + i);
    }
  }

  private static void writeChanges(ObjectStore store, int n) {
    Map<String, String> state = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      Map<String, String> before = new TreeMap<>(state);
      applyChange(state, i);
      if (state.size() < before.size()) {
        store.delete(CM, "ns", "a1", null);
      } else {
        String name =
            state.keySet().stream()
                .filter(k -> !state.get(k).equals(before.get(k)))
                .findFirst()
                .orElseThrow();
        if (before.containsKey(name)) {
          store.update(CM, cm(name, state.get(name)), null);
        } else {
          store.create(CM, cm(name, state.get(name)));
        }
      }
    }
    store.awaitDurable(store.resourceVersion());
  }

  private static Path onlySegment(Path dir) throws IOException {
    List<Path> s = WriteAheadLog.segments(dir);
    assertEquals(1, s.size(), "segments " + s);
    return s.get(0);
  }

  /** Offsets of each frame in a segment. */
  private static List<Integer> frames(byte[] seg) {
    List<Integer> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(seg).order(ByteOrder.LITTLE_ENDIAN);
    int pos = WalCodec.MAGIC.length;
    while (pos < seg.length) {
      out.add(pos);
      pos += WalCodec.HEADER + b.getInt(pos);
    }
    return out;
  }

  private void damageAndCheck(String what, Function<byte[], byte[]> damage, int intactRecords)
      throws Exception {
    Path d = dir.resolve(what);
    Files.createDirectories(d);
    ObjectStore store = open(d, 1 << 30);
    long base = store.resourceVersion();
    writeChanges(store, 12);
    Path seg = onlySegment(d);
    byte[] bytes = Files.readAllBytes(seg);
    assertEquals(12, frames(bytes).size());
    Files.write(seg, damage.apply(bytes));

    assertEquals(expectedAfter(base, intactRecords), recovered(d), what);
    // a server started on it goes on from the intact prefix, with later resourceVersions
    ObjectStore again = open(d, 1 << 30);
    assertEquals(base + intactRecords, again.resourceVersion(), what);
    ObjectNode next = again.create(CM, cm("after", "x"));
    again.awaitDurable(again.resourceVersion());
    assertEquals(
        Long.toString(base + intactRecords + 1), Json.text(next, "metadata", "resourceVersion"));
    Map<String, String> expected = expectedAfter(base, intactRecords);
    expected.put("after", "x");
    expected.put("@rv", Long.toString(base + intactRecords + 1));
    assertEquals(expected, recovered(d), what + ", after a restart and one more write");
  }

  @Test
  void anUndamagedLogLoadsCompletely() throws Exception {
    damageAndCheck("none", b -> b, 12);
  }

  @Test
  void aRecordCutInTheMiddleIsDropped() throws Exception {
    damageAndCheck("cut", b -> Arrays.copyOf(b, b.length - 7), 11);
    damageAndCheck("cut-in-header", b -> Arrays.copyOf(b, frames(b).get(11) + 3), 11);
    damageAndCheck("cut-after-header", b -> Arrays.copyOf(b, frames(b).get(11) + 8), 11);
  }

  @Test
  void garbageAfterTheLastRecordIsDropped() throws Exception {
    byte[] garbage = "\u0001\u0002garbage that is not a frame at all".getBytes();
    damageAndCheck(
        "garbage",
        b -> {
          byte[] out = Arrays.copyOf(b, b.length + garbage.length);
          System.arraycopy(garbage, 0, out, b.length, garbage.length);
          return out;
        },
        12);
    damageAndCheck(
        "zeros", b -> Arrays.copyOf(b, b.length + 4096), 12); // a preallocated or zeroed tail
    damageAndCheck(
        "huge-length",
        b -> {
          byte[] out = Arrays.copyOf(b, b.length + 16);
          ByteBuffer.wrap(out, b.length, 8).order(ByteOrder.LITTLE_ENDIAN).putInt(1 << 30);
          return out;
        },
        12);
  }

  @Test
  void aBadChecksumEndsTheLogThere() throws Exception {
    damageAndCheck(
        "last-record-flipped",
        b -> {
          byte[] out = b.clone();
          out[out.length - 3] ^= 0x10;
          return out;
        },
        11);
    damageAndCheck(
        "middle-record-flipped",
        b -> {
          byte[] out = b.clone();
          out[frames(b).get(6) + WalCodec.HEADER + 5] ^= 0x01;
          return out;
        },
        6);
    damageAndCheck(
        "checksum-field-flipped",
        b -> {
          byte[] out = b.clone();
          out[frames(b).get(9) + 4] ^= 0x01;
          return out;
        },
        9);
  }

  @Test
  void theDamagedTailIsKeptAsideForInspection() throws Exception {
    damageAndCheck("aside", b -> Arrays.copyOf(b, b.length - 7), 11);
    Path aside = dir.resolve("aside").resolve(WriteAheadLog.DAMAGED);
    assertTrue(Files.exists(aside));
    assertTrue(Files.size(aside) > 0);
  }

  @Test
  void concurrentWritersShareFsyncs() throws Exception {
    ObjectStore store = open(dir, 1 << 30);
    long before = lastWal.fsyncs();
    int threads = 16;
    int each = 20;
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int n = t;
      Thread th =
          new Thread(
              () -> {
                for (int i = 0; i < each; i++) {
                  store.create(CM, cm("t" + n + "-" + i, "x"));
                  store.awaitDurable(store.resourceVersion());
                }
              });
      th.start();
      ts.add(th);
    }
    for (Thread th : ts) {
      th.join();
    }
    long fsyncs = lastWal.fsyncs() - before;
    assertTrue(
        fsyncs < threads * each,
        fsyncs + " fsyncs for " + threads * each + " acknowledged writes: no group commit");
    assertEquals(threads * each + 1, recovered(dir).size()); // + "@rv"
  }

  @Test
  void theLogIsCompactedIntoTheSnapshotAndRecoveryStillHasEverything() throws Exception {
    ObjectStore store = open(dir, 4096);
    for (int i = 0; i < 300; i++) {
      store.create(CM, cm("c" + i, "x".repeat(100)));
      if (i % 3 == 0) {
        store.update(CM, cm("c" + i, "y"), null);
      }
      if (i % 5 == 0) {
        store.delete(CM, "ns", "c" + i, null);
      }
      store.awaitDurable(store.resourceVersion());
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (lastWal.compactions() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(lastWal.compactions() > 0, "no compaction happened");
    long rv = store.resourceVersion();
    List<Path> segments = WriteAheadLog.segments(dir);
    assertFalse(
        segments.get(0).getFileName().toString().endsWith("0001.log"),
        "the first segment was not removed: " + segments);
    Map<String, String> r = recovered(dir);
    assertEquals(Long.toString(rv), r.get("@rv"));
    assertEquals(300 - 60 + 1, r.size());
    assertEquals("y", r.get("c3"));
    assertFalse(r.containsKey("c5"));
  }

  @Test
  void aCleanCloseLeavesOnlyTheSnapshot() throws Exception {
    ObjectStore store = open(dir, 1 << 30);
    store.create(CM, cm("x", "1"));
    store.awaitDurable(store.resourceVersion());
    lastWal.close();
    assertEquals(List.of(), WriteAheadLog.segments(dir));
    assertEquals("1", recovered(dir).get("x"));
    assertEquals(
        503,
        org.junit.jupiter.api.Assertions.assertThrows(
                ApiException.class, () -> store.create(CM, cm("y", "1")))
            .code());
    assertEquals(null, store.get(CM, "ns", "y"), "a refused write changes nothing");
  }
}
