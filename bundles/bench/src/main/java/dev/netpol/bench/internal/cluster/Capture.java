package dev.netpol.bench.internal.cluster;

import dev.netpol.bench.internal.Proc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * tcpdump of the server's host veth while policies change. There, a packet towards the pod is seen
 * after the tc egress hook (so it passed the pod's ingress program) and a packet from the pod is
 * seen before the tc ingress hook (as the pod's kernel sent it): the gap between a SYN and its
 * SYN-ACK is the pod's own kernel.
 */
public final class Capture implements AutoCloseable {
  /**
   * One TCP packet: realtime seconds, addresses, ports, flags as tcpdump prints them ({@code S},
   * {@code S.}, {@code R}, ...).
   */
  public record Packet(double time, String src, int sport, String dst, int dport, String flags) {}

  private final Path file;
  private final Process process;

  private Capture(Path file, Process process) {
    this.file = file;
    this.process = process;
  }

  public static Capture start(String iface, int port, Path file, Path log)
      throws InterruptedException {
    Process p =
        Proc.start(
            List.of(
                "tcpdump",
                // each packet handed over and written at once: the file is read while capturing
                "--immediate-mode",
                "-U",
                "-i",
                iface,
                "-n",
                "-s",
                "96",
                "-B",
                "8192",
                "-w",
                file.toString(),
                "tcp port " + port + " and tcp[tcpflags] & (tcp-syn|tcp-rst) != 0"),
            log);
    Thread.sleep(500); // tcpdump attaches before anything is measured
    if (!p.isAlive()) {
      throw new IllegalStateException("tcpdump exited; see " + log);
    }
    return new Capture(file, p);
  }

  /** SYN, SYN-ACK and RST packets captured, in order. */
  public List<Packet> packets() {
    Proc.Result r = Proc.run(120, List.of("tcpdump", "-r", file.toString(), "-tt", "-n"));
    return parse(r.out());
  }

  private static final Pattern LINE =
      Pattern.compile(
          "^(\\d+\\.\\d+) IP6? (\\S+?)\\.(\\d+) > (\\S+?)\\.(\\d+): Flags \\[([^\\]]+)\\]",
          Pattern.MULTILINE);

  static List<Packet> parse(String text) {
    List<Packet> out = new ArrayList<>();
    Matcher m = LINE.matcher(text);
    while (m.find()) {
      out.add(
          new Packet(
              Double.parseDouble(m.group(1)),
              m.group(2),
              Integer.parseInt(m.group(3)),
              m.group(4),
              Integer.parseInt(m.group(5)),
              m.group(6)));
    }
    return out;
  }

  @Override
  public void close() {
    Proc.stop(process, 3000);
  }
}
