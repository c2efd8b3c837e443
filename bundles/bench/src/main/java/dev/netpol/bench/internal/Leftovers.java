package dev.netpol.bench.internal;

import dev.netpol.lab.Lab;
import dev.netpol.lab.LabConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Removes what an earlier, interrupted bench run left behind — only its own names: processes
 * started with a {@code /tmp/netpol-benchrun-*} data directory, lab pods of those work dirs,
 * network namespaces and links named {@code npb*}, bpffs roots {@code netpol-bench-*}, iptables
 * chains and ipsets {@code NPQ<5 hex>-*}.
 */
public final class Leftovers {
  private Leftovers() {}

  /** Returns what was removed, one line each. */
  public static List<String> sweep(Path currentWork) throws IOException {
    List<String> removed = new ArrayList<>();
    for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
      String cmd = h.info().commandLine().orElse("");
      if (h.pid() != ProcessHandle.current().pid()
          && cmd.contains("/tmp/" + BenchContext.WORK_PREFIX)
          && (currentWork == null || !cmd.contains(currentWork.toString()))) {
        h.destroyForcibly();
        removed.add("process " + h.pid());
      }
    }
    try (Stream<Path> s = Files.list(Path.of("/tmp"))) {
      for (Path old :
          s.filter(p -> p.getFileName().toString().startsWith(BenchContext.WORK_PREFIX))
              .filter(p -> !p.equals(currentWork))
              .toList()) {
        for (Path labDir : labDirs(old)) {
          try (Lab lab =
              new Lab(
                  new LabConfig(
                      labDir,
                      null,
                      BenchContext.POOL4,
                      BenchContext.POOL6,
                      BenchContext.NAME_PREFIX,
                      "bench",
                      "192.0.2.1"))) {
            lab.down();
          } catch (RuntimeException e) {
            removed.add("lab " + labDir + " (" + e.getMessage() + ")");
          }
        }
        BenchContext.deleteTree(old);
        removed.add("work dir " + old);
      }
    }
    Path netns = Path.of("/run/netns");
    if (Files.isDirectory(netns)) {
      try (Stream<Path> s = Files.list(netns)) {
        for (Path p :
            s.filter(p -> p.getFileName().toString().startsWith(BenchContext.NAME_PREFIX))
                .toList()) {
          String name = p.getFileName().toString();
          Proc.Result pids = Proc.run(10, List.of("ip", "netns", "pids", name));
          for (String pid : pids.out().split("\\s+")) {
            if (pid.matches("[0-9]+")) {
              ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
          }
          Proc.run(10, List.of("ip", "netns", "del", name));
          removed.add("netns " + name);
        }
      }
    }
    try (Stream<Path> s = Files.list(Path.of("/sys/class/net"))) {
      for (Path p :
          s.filter(p -> p.getFileName().toString().startsWith(BenchContext.NAME_PREFIX)).toList()) {
        Proc.run(10, List.of("ip", "link", "del", p.getFileName().toString()));
        removed.add("link " + p.getFileName());
      }
    }
    try (Stream<Path> s = Files.list(BenchContext.BPFFS)) {
      for (Path p :
          s.filter(p -> p.getFileName().toString().startsWith(BenchContext.PIN_PREFIX)).toList()) {
        BenchContext.deleteTree(p);
        removed.add("pins " + p);
      }
    }
    for (String prefix : iptablesPrefixes()) {
      try {
        Backends.releaseIptables(prefix);
        removed.add("iptables chains and sets " + prefix + "-*");
      } catch (Exception e) {
        removed.add("iptables " + prefix + " (" + e.getMessage() + ")");
      }
    }
    return removed;
  }

  /** The bench's iptables prefixes that have chains or sets in the kernel. */
  private static java.util.Set<String> iptablesPrefixes() {
    java.util.Set<String> found = new java.util.TreeSet<>();
    java.util.regex.Pattern name =
        java.util.regex.Pattern.compile(
            "(?m)^(?::|create )?(" + Backends.IPTABLES_PREFIX + "[0-9A-F]{5})-");
    for (List<String> c :
        List.of(
            List.of("iptables-save", "-t", "filter"),
            List.of("ip6tables-save", "-t", "filter"),
            List.of("ipset", "save"))) {
      Proc.Result r = Proc.run(30, c);
      if (r.ok()) {
        var m = name.matcher(r.out());
        while (m.find()) {
          found.add(m.group(1));
        }
      }
    }
    return found;
  }

  private static List<Path> labDirs(Path work) throws IOException {
    try (Stream<Path> s = Files.walk(work, 3)) {
      return s.filter(p -> p.getFileName().toString().equals("state.json"))
          .map(Path::getParent)
          .toList();
    }
  }
}
