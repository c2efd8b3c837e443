package dev.netpol.bench.internal.tools;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * New TCP connections per second, run as its own JVM inside a pod's network namespace ({@code ip
 * netns exec NS java -cp <bench jar> ...ConnRate}); uses the JDK only.
 *
 * <ul>
 *   <li>{@code server PORT}: accepts and closes every connection (the client's reset then removes
 *       the server side, so it keeps no TIME_WAIT either).
 *   <li>{@code client HOST PORT SECONDS [THREADS]}: connects and closes (SO_LINGER 0, so neither
 *       side keeps TIME_WAIT and ports never run out) as fast as it can; after a warm-up of a
 *       quarter of the time (at most 1 s) counts completed handshakes for SECONDS and prints {@code
 *       connections=N seconds=S rate=R failures=F}.
 * </ul>
 */
public final class ConnRate {
  private ConnRate() {}

  public static void main(String[] args) throws Exception {
    if (args.length >= 2 && args[0].equals("server")) {
      server(Integer.parseInt(args[1]));
    } else if (args.length >= 4 && args[0].equals("client")) {
      int threads = args.length > 4 ? Integer.parseInt(args[4]) : 1;
      client(args[1], Integer.parseInt(args[2]), Double.parseDouble(args[3]), threads);
    } else {
      System.err.println("usage: ConnRate server PORT | client HOST PORT SECONDS [THREADS]");
      System.exit(2);
    }
  }

  static void server(int port) throws IOException {
    try (ServerSocket ss = new ServerSocket()) {
      ss.setReuseAddress(true);
      ss.bind(new InetSocketAddress(port), 4096);
      System.out.println("serving " + port);
      System.out.flush();
      while (true) {
        try {
          // a plain close (FIN): a reset here could reach the client before its connect()
          // returned and turn a completed handshake into "connection reset"
          ss.accept().close();
        } catch (IOException e) {
          // a reset before accept; keep serving
        }
      }
    }
  }

  static void client(String host, int port, double seconds, int threads) throws Exception {
    InetSocketAddress addr = new InetSocketAddress(host, port);
    long warmNanos = (long) (Math.min(1.0, seconds / 4) * 1e9);
    long start = System.nanoTime();
    long countFrom = start + warmNanos;
    long end = countFrom + (long) (seconds * 1e9);
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    java.util.concurrent.ConcurrentHashMap<String, Long> reasons =
        new java.util.concurrent.ConcurrentHashMap<>();
    Thread[] ts = new Thread[threads];
    for (int i = 0; i < threads; i++) {
      ts[i] =
          new Thread(
              () -> {
                long now;
                while ((now = System.nanoTime()) < end) {
                  boolean counting = now >= countFrom;
                  try (Socket s = new Socket()) {
                    s.setSoLinger(true, 0);
                    s.connect(addr, 1000);
                    if (counting) {
                      done.incrementAndGet();
                    }
                  } catch (IOException e) {
                    if (counting) {
                      failed.incrementAndGet();
                      reasons.merge(String.valueOf(e.getMessage()), 1L, Long::sum);
                    }
                  }
                }
              },
              "connrate-" + i);
      ts[i].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    double measured = (System.nanoTime() - countFrom) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "connections=%d seconds=%.3f rate=%.1f failures=%d reasons=%s%n",
        done.get(),
        measured,
        done.get() / measured,
        failed.get(),
        reasons);
  }
}
