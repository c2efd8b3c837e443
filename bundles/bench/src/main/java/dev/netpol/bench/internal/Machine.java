package dev.netpol.bench.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a result depends on: machine, kernel, tool and netpol versions, and how busy the box is. */
public final class Machine {
  private Machine() {}

  /** CPU, cores, memory, kernel, OS, versions of netpol, Java, iptables, libbpf and the tools. */
  public static Map<String, String> describe(Path netpolHome) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("cpu", cpuModel());
    m.put("cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
    m.put("memory", memTotal());
    m.put("kernel", firstLine(Proc.run("uname", "-r").out()));
    m.put("os", osName());
    m.put("netpol commit", commit(netpolHome));
    m.put(
        "java",
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")");
    m.put("iptables", firstLine(quiet("iptables", "--version")));
    m.put("ipset", firstLine(quiet("ipset", "--version")));
    m.put("libbpf", packageVersion("libbpf1"));
    m.put("bpftool", firstLine(quiet("bpftool", "version")));
    m.put("iperf3", firstLine(quiet("iperf3", "--version")));
    m.put("sockperf", sockperfVersion());
    m.put("kubectl", firstLine(quiet("kubectl", "version", "--client")));
    m.put("python3", firstLine(quiet("/usr/bin/python3", "--version")));
    m.put("netfilter conntrack in the root namespace", conntrackState());
    return m;
  }

  /** The 1-minute load average. */
  public static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** CPU pressure (PSI) "some avg10": % of the last 10 s in which a runnable task waited. */
  public static double cpuPressure() {
    try {
      Matcher m =
          Pattern.compile("some avg10=([0-9.]+)")
              .matcher(Files.readString(Path.of("/proc/pressure/cpu")));
      return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Total CPU pressure stall time in microseconds (PSI "some total"), for deltas. */
  public static long cpuPressureTotalMicros() {
    try {
      Matcher m =
          Pattern.compile("some .*total=([0-9]+)")
              .matcher(Files.readString(Path.of("/proc/pressure/cpu")));
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Resident set size of a process in MiB (VmRSS), NaN if it is gone. */
  public static double rssMib(long pid) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return Double.NaN;
  }

  static String commit(Path home) {
    for (Path p = home; p != null; p = p.getParent()) {
      if (Files.exists(p.resolve(".git"))) {
        Proc.Result r = Proc.run(10, List.of("git", "-C", p.toString(), "rev-parse", "HEAD"));
        if (r.ok()) {
          boolean dirty =
              !Proc.run(
                      10,
                      List.of(
                          "git",
                          "-C",
                          p.toString(),
                          "status",
                          "--porcelain",
                          "--untracked-files=no"))
                  .out()
                  .isBlank();
          return r.out().strip().substring(0, 12) + (dirty ? " (with uncommitted changes)" : "");
        }
      }
    }
    return "unknown (not run from a git checkout)";
  }

  private static String cpuModel() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          return l.substring(l.indexOf(':') + 1).strip();
        }
      }
    } catch (IOException e) {
      // below
    }
    return "unknown";
  }

  private static String memTotal() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (l.startsWith("MemTotal:")) {
          long kb = Long.parseLong(l.replaceAll("[^0-9]", ""));
          return String.format(java.util.Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
        }
      }
    } catch (IOException e) {
      // below
    }
    return "unknown";
  }

  private static String osName() {
    try {
      for (String l : Files.readAllLines(Path.of("/etc/os-release"))) {
        if (l.startsWith("PRETTY_NAME=")) {
          return l.substring(12).replace("\"", "");
        }
      }
    } catch (IOException e) {
      // below
    }
    return "unknown";
  }

  private static String packageVersion(String pkg) {
    Proc.Result r = Proc.run(10, List.of("dpkg-query", "-W", "-f=${Version}", pkg));
    return r.ok() && !r.out().isBlank() ? pkg + " " + r.out().strip() : "unknown";
  }

  private static String sockperfVersion() {
    Matcher m = Pattern.compile("version ([^ =\\n]+)").matcher(quiet("sockperf", "--version"));
    return m.find() ? "sockperf " + m.group(1) : "unknown";
  }

  private static String conntrackState() {
    try {
      String n = Files.readString(Path.of("/proc/sys/net/netfilter/nf_conntrack_count")).strip();
      return "on (" + n + " entries at start: a netfilter table that needs it exists)";
    } catch (IOException e) {
      return "off";
    }
  }

  private static String quiet(String... cmd) {
    try {
      return Proc.run(10, List.of(cmd)).out();
    } catch (RuntimeException e) {
      return "not installed";
    }
  }

  private static String firstLine(String s) {
    String t = s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl).strip();
  }
}
