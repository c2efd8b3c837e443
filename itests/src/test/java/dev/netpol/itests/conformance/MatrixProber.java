package dev.netpol.itests.conformance;

import dev.netpol.itests.conformance.ProbeTargets.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Probes the 72 judged pairs of the matrix at once with real connections. Like upstream's
 * probeConnectivity, each pair is re-probed until it shows the expected value or the retry budget
 * is spent, and the last observation counts. Probes run in the source pod's agent.
 */
final class MatrixProber implements AutoCloseable {
  private static final AtomicLong TOKENS = new AtomicLong(0x4e500000L);
  private final ProbeTargets cluster;
  private final double timeoutSeconds;
  private final ExecutorService pool =
      Executors.newFixedThreadPool(
          200,
          r -> {
            Thread t = new Thread(r, "prober");
            t.setDaemon(true);
            return t;
          });

  MatrixProber(ProbeTargets cluster, long timeoutMillis) {
    this.cluster = cluster;
    this.timeoutSeconds = timeoutMillis / 1000.0;
  }

  /**
   * What one matrix pass saw: the last observation per pair (loopback null), how many pairs needed
   * more than one probe to show the expected value (or never did), and when the last of those
   * settled.
   */
  record Observation(Boolean[][] seen, int retriedPairs, long settleMillis) {}

  /**
   * Observations (row from, column to; loopback left null) after per-pair retries toward the
   * expectation.
   */
  Boolean[][] observe(
      Mode mode, int port, Protocol proto, Reachability expected, long retryMillis) {
    return observeTimed(mode, port, proto, expected, retryMillis).seen();
  }

  Observation observeTimed(
      Mode mode, int port, Protocol proto, Reachability expected, long retryMillis) {
    Boolean[][] seen = new Boolean[9][9];
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(retryMillis);
    java.util.concurrent.atomic.AtomicInteger retried =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicLong settled = new java.util.concurrent.atomic.AtomicLong();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (PodRef[] pair : Reachability.judgedPairs()) {
      PodRef from = pair[0];
      PodRef to = pair[1];
      boolean want = expected.expected(from, to);
      all.add(
          CompletableFuture.runAsync(
              () -> {
                boolean got;
                int attempts = 0;
                while (true) {
                  attempts++;
                  got = probeOnce(mode, from, to, port, proto);
                  if (got == want || System.nanoTime() > deadline) {
                    break;
                  }
                  sleep(60);
                }
                if (attempts > 1 || got != want) {
                  retried.incrementAndGet();
                  settled.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
                }
                synchronized (seen) {
                  seen[from.index()][to.index()] = got;
                }
              },
              pool));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    return new Observation(seen, retried.get(), settled.get());
  }

  /**
   * One real probe: true when TCP connected, UDP was answered, or the SCTP INIT reached the
   * destination.
   */
  boolean probeOnce(Mode mode, PodRef from, PodRef to, int port, Protocol proto) {
    String host = cluster.target(to, mode);
    if (host == null) {
      return false;
    }
    PodAgent src = cluster.agent(from);
    long wait = (long) (timeoutSeconds * 1000) + 2000;
    try {
      if (proto != Protocol.SCTP) {
        return src.probe(proto, host, port, timeoutSeconds, 0)
            .get(wait, TimeUnit.MILLISECONDS)
            .ok();
      }
      long token = TOKENS.incrementAndGet() & 0xffffffffL;
      PodAgent dst = cluster.agent(to);
      CompletableFuture<Integer> arrived = dst.expectSctp(token);
      try {
        if (!src.probe(proto, host, port, timeoutSeconds, token)
            .get(wait, TimeUnit.MILLISECONDS)
            .ok()) {
          return false;
        }
        Integer dport = arrived.get((long) (timeoutSeconds * 1000), TimeUnit.MILLISECONDS);
        return dport == port;
      } finally {
        dst.forgetSctp(token);
      }
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
