package dev.netpol.bench.internal.cluster;

import dev.netpol.bench.internal.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Samples what could delay packets on a busy box, every 100 ms on its own thread: CPU pressure (PSI
 * stall time), steal time (a VM's vCPU not running), softirq time, and the softnet counters
 * (packets dropped at the backlog, net_rx_action runs cut short). Each row holds deltas since the
 * previous sample, with the monotonic time of the sample.
 */
public final class Sampler implements AutoCloseable {
  private final Table table;
  private final String tag;
  private final Thread thread;
  private volatile boolean running = true;

  public Sampler(Table table, String tag) {
    this.table = table;
    this.tag = tag;
    this.thread = new Thread(this::loop, "bench-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    long[] prev = read();
    while (running) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
      long[] now = read();
      table.add(
          "tag", tag,
          "t_nanos", now[0],
          "psi_some_us", now[1] - prev[1],
          "steal_ticks", now[2] - prev[2],
          "softirq_ticks", now[3] - prev[3],
          "busy_ticks", now[4] - prev[4],
          "softnet_dropped", now[5] - prev[5],
          "softnet_squeezed", now[6] - prev[6]);
      prev = now;
    }
  }

  /** [nanoTime, psi some total µs, steal, softirq, busy ticks, softnet dropped, time_squeeze]. */
  static long[] read() {
    long[] v = new long[7];
    v[0] = System.nanoTime();
    try {
      String psi = Files.readString(Path.of("/proc/pressure/cpu"));
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("some .*total=([0-9]+)").matcher(psi);
      v[1] = m.find() ? Long.parseLong(m.group(1)) : 0;
      String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = cpu.trim().split("\\s+"); // cpu user nice system idle iowait irq softirq steal
      v[2] = Long.parseLong(f[8]);
      v[3] = Long.parseLong(f[7]);
      v[4] =
          Long.parseLong(f[1])
              + Long.parseLong(f[2])
              + Long.parseLong(f[3])
              + Long.parseLong(f[6])
              + Long.parseLong(f[7]);
      List<String> softnet = Files.readAllLines(Path.of("/proc/net/softnet_stat"));
      for (String l : softnet) {
        String[] s = l.trim().split("\\s+");
        v[5] += Long.parseLong(s[1], 16);
        v[6] += Long.parseLong(s[2], 16);
      }
    } catch (IOException | RuntimeException e) {
      // leave zeros
    }
    return v;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
