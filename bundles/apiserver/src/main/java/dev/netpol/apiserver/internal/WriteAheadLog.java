package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes every store change durable before anyone hears of it: changes are appended to a log segment
 * ({@code apiserver-wal-<seq>.log}, format in {@link WalCodec}) and fsynced by one committer
 * thread. Whoever is waiting when a fsync ends is released by it, so concurrent writers share one
 * fsync (group commit); an optional window makes the committer wait a little longer for more
 * writers. Only then are the events published to watchers.
 *
 * <p>When the current segment outgrows the compaction threshold (or the last snapshot, whichever is
 * larger), the committer starts a new segment at a point where the store is captured, and a second
 * thread writes that capture as the snapshot ({@link StateFile}) and then deletes the old segments.
 * Recovery loads the snapshot and replays the segments after it, skipping entries the snapshot
 * already holds and stopping at the first torn or damaged frame.
 */
public final class WriteAheadLog implements ObjectStore.Journal, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WriteAheadLog.class);
  private static final Pattern SEGMENT = Pattern.compile("apiserver-wal-(\\d{16})\\.log");

  /** Where the bytes of a damaged log tail are kept for inspection (the latest only). */
  public static final String DAMAGED = "apiserver-wal.damaged";

  private final Path dir;
  private final StateFile snapshots;
  private final ObjectStore store;
  private final long groupCommitNanos;
  private final long compactionBytes;

  private final Object lock = new Object();
  private List<StoreEvent> pending = new ArrayList<>();
  private long durableRv;
  private ApiException failure;
  private boolean closing;

  // owned by the committer thread (and by open/close while it is not running)
  private FileChannel segment;
  private long segmentSeq;
  private long segmentBytes;
  private volatile long snapshotBytes;
  private volatile boolean compacting;
  private final java.util.concurrent.atomic.AtomicLong fsyncs =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong compactions =
      new java.util.concurrent.atomic.AtomicLong();
  private Thread committer;
  private final ExecutorService compactor =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "netpol-apiserver-compactor");
            t.setDaemon(true);
            return t;
          });

  public WriteAheadLog(
      Path dir,
      StateFile snapshots,
      ObjectStore store,
      Duration groupCommit,
      long compactionBytes) {
    this.dir = dir;
    this.snapshots = snapshots;
    this.store = store;
    this.groupCommitNanos = groupCommit.toNanos();
    this.compactionBytes = compactionBytes;
  }

  /** What recovery found: the state, and whether the data directory held any. */
  public record Recovered(
      long resourceVersion, Map<String, List<ObjectNode>> objects, boolean found) {}

  /**
   * Loads the snapshot and replays the log after it. A torn or damaged tail is logged, its bytes
   * are kept in {@value #DAMAGED}, and nothing from it (or from any later segment) is loaded.
   */
  public static Recovered recover(Path dir, StateFile snapshots) throws IOException {
    StateFile.Loaded snap = snapshots.load();
    long rv = snap == null ? 0 : snap.resourceVersion();
    Map<String, Map<String, ObjectNode>> state = new LinkedHashMap<>();
    if (snap != null) {
      snap.objects()
          .forEach(
              (key, list) -> {
                Map<String, ObjectNode> b = state.computeIfAbsent(key, k -> new LinkedHashMap<>());
                list.forEach(o -> b.put(objectKey(Json.namespace(o), Json.name(o)), o));
              });
    }
    List<Path> segments = segments(dir);
    long lastRv = 0;
    int replayed = 0;
    Path damagedAt = null;
    for (Path seg : segments) {
      if (damagedAt != null) {
        LOG.error(
            "ignoring write-ahead log segment {}: it follows the damaged segment {}",
            seg,
            damagedAt);
        continue;
      }
      WalCodec.Scan scan = WalCodec.scan(seg, lastRv);
      for (WalCodec.Entry e : scan.entries()) {
        lastRv = e.rv();
        if (e.rv() <= rv) {
          continue; // already in the snapshot (a crash between snapshot and segment removal)
        }
        Map<String, ObjectNode> b =
            state.computeIfAbsent(e.storageKey(), k -> new LinkedHashMap<>());
        String k = objectKey(e.namespace(), e.name());
        if (e.delete()) {
          b.remove(k);
        } else {
          b.put(k, e.object());
        }
        rv = e.rv();
        replayed++;
      }
      if (scan.damaged()) {
        damagedAt = seg;
        byte[] all = Files.readAllBytes(seg);
        Files.write(
            dir.resolve(DAMAGED),
            java.util.Arrays.copyOfRange(all, (int) scan.intactBytes(), all.length));
        LOG.warn(
            "write-ahead log {}: dropped a torn or damaged tail of {} bytes ({}); loaded the {}"
                + " intact records before it; the dropped bytes are in {}",
            seg,
            scan.fileBytes() - scan.intactBytes(),
            scan.damage(),
            scan.entries().size(),
            dir.resolve(DAMAGED));
      }
    }
    Map<String, List<ObjectNode>> objects = new LinkedHashMap<>();
    state.forEach((k, v) -> objects.put(k, new ArrayList<>(v.values())));
    if (replayed > 0) {
      LOG.info("replayed {} write-ahead log records up to resourceVersion {}", replayed, rv);
    }
    return new Recovered(rv, objects, snap != null || !segments.isEmpty());
  }

  private static String objectKey(String ns, String name) {
    return (ns == null ? "" : ns) + "/" + name;
  }

  /** The log segments in dir, oldest first. */
  static List<Path> segments(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> SEGMENT.matcher(p.getFileName().toString()).matches()).sorted().toList();
    }
  }

  private static long seq(Path segment) {
    Matcher m = SEGMENT.matcher(segment.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /**
   * Writes the store's current (recovered) state as the snapshot, removes the old segments, opens a
   * fresh one and starts committing. Call after the store was loaded and before it is attached.
   */
  public void open() throws IOException {
    List<Path> old = segments(dir);
    long next = old.isEmpty() ? 1 : seq(old.get(old.size() - 1)) + 1;
    ObjectStore.Snapshot snap = store.snapshot();
    snapshotBytes = snapshots.save(snap);
    for (Path p : old) {
      Files.deleteIfExists(p);
    }
    openSegment(next);
    durableRv = snap.resourceVersion();
    committer = new Thread(this::commitLoop, "netpol-apiserver-wal");
    committer.setDaemon(true);
    committer.start();
  }

  private void openSegment(long seq) throws IOException {
    Path p = dir.resolve(String.format("apiserver-wal-%016d.log", seq));
    FileChannel ch =
        FileChannel.open(
            p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
    writeFully(ch, ByteBuffer.wrap(WalCodec.MAGIC));
    ch.force(true);
    StateFile.syncDirectory(dir);
    if (segment != null) {
      segment.close();
    }
    segment = ch;
    segmentSeq = seq;
    segmentBytes = WalCodec.MAGIC.length;
  }

  @Override
  public void append(StoreEvent e) {
    synchronized (lock) {
      if (failure != null) {
        throw failure;
      }
      if (closing) {
        throw ApiException.unavailable("the API server is shutting down");
      }
      pending.add(e);
      if (pending.size() == 1) {
        lock.notifyAll();
      }
    }
  }

  @Override
  public void awaitDurable(long rv) {
    synchronized (lock) {
      boolean interrupted = false;
      while (durableRv < rv && failure == null) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (durableRv < rv) {
        throw failure;
      }
    }
  }

  private void commitLoop() {
    while (true) {
      synchronized (lock) {
        while (pending.isEmpty() && !closing) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (pending.isEmpty()) {
          return; // closing, nothing left
        }
      }
      if (groupCommitNanos > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(groupCommitNanos);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      boolean rotate =
          !compacting && segmentBytes >= Math.max(compactionBytes, snapshotBytes) && !closing();
      ObjectStore.Snapshot capture = null;
      List<StoreEvent> batch;
      if (rotate) {
        synchronized (store) { // nothing is appended while the store is captured
          capture = store.snapshot();
          batch = take();
        }
      } else {
        batch = take();
      }
      try {
        write(batch);
        if (rotate) {
          long oldSeq = segmentSeq;
          openSegment(oldSeq + 1);
          compacting = true;
          ObjectStore.Snapshot c = capture;
          compactor.execute(() -> compact(c, oldSeq));
        }
      } catch (IOException | RuntimeException e) {
        fail(e);
        return;
      }
    }
  }

  private boolean closing() {
    synchronized (lock) {
      return closing;
    }
  }

  private List<StoreEvent> take() {
    synchronized (lock) {
      List<StoreEvent> b = pending;
      pending = new ArrayList<>();
      return b;
    }
  }

  /** Appends and fsyncs the batch, then publishes it and releases its writers. */
  private void write(List<StoreEvent> batch) throws IOException {
    if (batch.isEmpty()) {
      return;
    }
    List<byte[]> frames = new ArrayList<>(batch.size());
    int total = 0;
    for (StoreEvent e : batch) {
      byte[] f = WalCodec.encode(e);
      frames.add(f);
      total += f.length;
    }
    ByteBuffer buf = ByteBuffer.allocate(total);
    frames.forEach(buf::put);
    buf.flip();
    writeFully(segment, buf);
    segment.force(false);
    fsyncs.incrementAndGet();
    segmentBytes += total;
    store.publish(batch);
    synchronized (lock) {
      durableRv = batch.get(batch.size() - 1).resourceVersion();
      lock.notifyAll();
    }
  }

  /** Log fsyncs so far (each commits one group of writes). */
  public long fsyncs() {
    return fsyncs.get();
  }

  /** Compactions finished so far. */
  long compactions() {
    return compactions.get();
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  private void fail(Exception e) {
    LOG.error(
        "cannot write the write-ahead log in {}; the API refuses every write from now on", dir, e);
    synchronized (lock) {
      failure = ApiException.unavailable("the API server cannot persist changes: " + e);
      lock.notifyAll();
    }
  }

  /** Writes the captured state as the snapshot and removes the segments it makes redundant. */
  private void compact(ObjectStore.Snapshot capture, long upToSeq) {
    try {
      long bytes = snapshots.save(capture);
      for (Path p : segments(dir)) {
        if (seq(p) <= upToSeq) {
          Files.deleteIfExists(p);
        }
      }
      snapshotBytes = bytes;
      compactions.incrementAndGet();
      LOG.debug(
          "compacted the write-ahead log into a snapshot at resourceVersion {} ({} bytes)",
          capture.resourceVersion(),
          bytes);
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot compact the write-ahead log in {}; will try again later", dir, e);
    } finally {
      compacting = false;
    }
  }

  /**
   * Commits what is pending, writes a final snapshot and removes the log. Appends fail from now on.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closing) {
        return;
      }
      closing = true;
      lock.notifyAll();
    }
    try {
      if (committer != null) {
        committer.join();
      }
      compactor.shutdown();
      compactor.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      if (segment != null) {
        segment.close();
      }
      if (failure == null) {
        snapshots.save(store.snapshot());
        for (Path p : segments(dir)) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      LOG.warn(
          "cannot write the final snapshot in {}; the log is kept and replayed at start", dir, e);
    }
    synchronized (lock) {
      if (failure == null) {
        failure = ApiException.unavailable("the API server is shutting down");
      }
      lock.notifyAll();
    }
  }
}
