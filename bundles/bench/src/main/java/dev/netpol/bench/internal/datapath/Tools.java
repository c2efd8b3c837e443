package dev.netpol.bench.internal.datapath;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netpol.bench.internal.Proc;
import dev.netpol.bench.internal.tools.ConnRate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The measuring tools, run inside pod network namespaces: iperf3 (TCP throughput), sockperf
 * ping-pong (request/response round trip), {@link ConnRate} (new connections per second). Servers
 * run for the whole suite; each client run is one measurement.
 */
public final class Tools {
  /** A served port the lab's own server answers on: enforcement checks use it. */
  public static final int PROBE_PORT = 5000;

  public static final int IPERF_PORT = 5201;
  public static final int SOCKPERF_PORT = 5301;
  public static final int CONNRATE_PORT = 5401;

  /** One range holding every measured port: a policy allowing it allows all the tools. */
  public static final int TOOL_RANGE_FIRST = 5000;

  public static final int TOOL_RANGE_LAST = 5999;

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path classes;
  private final Path logs;
  private final List<Process> servers = new ArrayList<>();

  /** Throughput of one iperf3 run. */
  public record Throughput(double gbps, long retransmits, double senderCpu, double receiverCpu) {}

  /** Round-trip percentiles of one sockperf run, in microseconds. */
  public record Latency(double p50, double p99, double avg, long observations) {}

  /** One connection-rate run. */
  public record ConnectionRate(double perSecond, long connections, long failures) {}

  public Tools(Path work, Path logs) {
    this.classes = extractConnRate(work.resolve("tools"));
    this.logs = logs;
  }

  /** Starts iperf3, sockperf and the connection-rate server in the server pod. */
  public void startServers(String netns, String ip) throws InterruptedException {
    servers.add(
        Proc.start(
            Proc.inNetns(netns, "iperf3", "-s", "-p", String.valueOf(IPERF_PORT)),
            logs.resolve(netns + ".iperf3.log")));
    servers.add(
        Proc.start(
            Proc.inNetns(
                netns,
                "sockperf",
                "server",
                "--tcp",
                "-i",
                ip,
                "-p",
                String.valueOf(SOCKPERF_PORT)),
            logs.resolve(netns + ".sockperf.log")));
    servers.add(
        Proc.start(
            Proc.inNetns(netns, java(classes, "server", String.valueOf(CONNRATE_PORT))),
            logs.resolve(netns + ".connrate.log")));
    awaitListening(netns, List.of(IPERF_PORT, SOCKPERF_PORT, CONNRATE_PORT));
  }

  /** Stops every server this instance started. */
  public void stopServers() {
    servers.forEach(p -> Proc.stop(p, 2000));
    servers.clear();
  }

  public Throughput iperf(String clientNetns, String serverIp, int seconds) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "iperf3",
                "-c",
                serverIp,
                "-p",
                String.valueOf(IPERF_PORT),
                "-t",
                String.valueOf(seconds),
                "-J"));
    if (seconds >= 3) {
      cmd.addAll(List.of("-O", "1")); // leave out the first second (slow start)
    }
    Proc.Result r = Proc.run(seconds + 30L, Proc.inNetns(clientNetns, cmd.toArray(String[]::new)));
    return parseIperf(r.out(), r);
  }

  static Throughput parseIperf(String json, Proc.Result r) {
    try {
      JsonNode n = JSON.readTree(json);
      if (n.has("error")) {
        throw new IllegalStateException("iperf3: " + n.get("error").asText());
      }
      JsonNode end = n.path("end");
      return new Throughput(
          end.path("sum_received").path("bits_per_second").asDouble() / 1e9,
          end.path("sum_sent").path("retransmits").asLong(),
          end.path("cpu_utilization_percent").path("host_total").asDouble(),
          end.path("cpu_utilization_percent").path("remote_total").asDouble());
    } catch (IOException e) {
      throw new IllegalStateException(
          "iperf3 gave no JSON (exit " + (r == null ? "?" : r.exit()) + "): " + json.strip(), e);
    }
  }

  public Latency sockperf(String clientNetns, String serverIp, int seconds) {
    Proc.Result r =
        Proc.run(
            seconds + 30L,
            Proc.inNetns(
                clientNetns,
                "sockperf",
                "ping-pong",
                "--tcp",
                "-i",
                serverIp,
                "-p",
                String.valueOf(SOCKPERF_PORT),
                "-t",
                String.valueOf(seconds),
                "-m",
                "64",
                "--full-rtt"));
    return parseSockperf(r.out());
  }

  private static final Pattern PERCENTILE =
      Pattern.compile("percentile (\\d+\\.\\d+) =\\s*([0-9.]+)");
  private static final Pattern AVG = Pattern.compile("avg-rtt=([0-9.]+)");
  private static final Pattern OBS = Pattern.compile("Total (\\d+) observations");

  static Latency parseSockperf(String out) {
    String text = out.replaceAll("\u001B\\[[0-9;]*m", "");
    double p50 = Double.NaN;
    double p99 = Double.NaN;
    Matcher m = PERCENTILE.matcher(text);
    while (m.find()) {
      switch (m.group(1)) {
        case "50.000" -> p50 = Double.parseDouble(m.group(2));
        case "99.000" -> p99 = Double.parseDouble(m.group(2));
        default -> {}
      }
    }
    Matcher a = AVG.matcher(text);
    Matcher o = OBS.matcher(text);
    if (Double.isNaN(p50) || !a.find()) {
      throw new IllegalStateException("sockperf gave no percentiles: " + text.strip());
    }
    return new Latency(
        p50, p99, Double.parseDouble(a.group(1)), o.find() ? Long.parseLong(o.group(1)) : 0);
  }

  public ConnectionRate connRate(String clientNetns, String serverIp, int seconds) {
    Proc.Result r =
        Proc.run(
            seconds + 40L,
            Proc.inNetns(
                clientNetns,
                java(
                    classes,
                    "client",
                    serverIp,
                    String.valueOf(CONNRATE_PORT),
                    String.valueOf(seconds))));
    return parseConnRate(r.out());
  }

  private static final Pattern RATE =
      Pattern.compile("connections=(\\d+) seconds=([0-9.]+) rate=([0-9.]+) failures=(\\d+)");

  static ConnectionRate parseConnRate(String out) {
    Matcher m = RATE.matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("connection-rate client gave no result: " + out.strip());
    }
    return new ConnectionRate(
        Double.parseDouble(m.group(3)), Long.parseLong(m.group(1)), Long.parseLong(m.group(4)));
  }

  private static String[] java(Path classes, String... args) {
    List<String> c =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC",
                "-Xmx64m",
                "-cp",
                classes.toString(),
                ConnRate.class.getName()));
    c.addAll(List.of(args));
    return c.toArray(String[]::new);
  }

  /** Waits until every port listens in the namespace (ss), at most 15 s. */
  private static void awaitListening(String netns, List<Integer> ports)
      throws InterruptedException {
    long end = System.currentTimeMillis() + 15_000;
    while (true) {
      String ss = Proc.run(10, Proc.inNetns(netns, "ss", "-Htln")).out();
      if (ports.stream().allMatch(p -> ss.contains(":" + p + " "))) {
        return;
      }
      if (System.currentTimeMillis() > end) {
        throw new IllegalStateException(
            "servers in " + netns + " did not listen on " + ports + " within 15 s: " + ss);
      }
      Thread.sleep(100);
    }
  }

  /** Writes the connection-rate tool's class file into {@code dir} (a class path of its own). */
  static Path extractConnRate(Path dir) {
    String res = ConnRate.class.getName().replace('.', '/') + ".class";
    Path target = dir.resolve(res);
    try (InputStream in = ConnRate.class.getClassLoader().getResourceAsStream(res)) {
      if (in == null) {
        throw new IllegalStateException(res + " is missing from the bench bundle");
      }
      Files.createDirectories(target.getParent());
      Files.write(target, in.readAllBytes());
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String fmt(double d) {
    return String.format(Locale.ROOT, "%.2f", d);
  }
}
