package dev.netpol.itests.conformance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The suite's knobs, from system properties (Failsafe passes them through from -D...). */
record ConformanceSettings(
    Path dist,
    List<ConformanceCase> cases,
    List<String> backends,
    List<String> families,
    String pods,
    Path reportDir,
    CaseRunner.Timing timing) {

  static ConformanceSettings fromSystemProperties() {
    String ipv6 = prop("netpol.conformance.ipv6", "false");
    List<String> families = new ArrayList<>();
    if (!ipv6.equals("only")) {
      families.add("ipv4");
    }
    if (ipv6.equals("true") || ipv6.equals("only")) {
      families.add("ipv6");
    }
    return new ConformanceSettings(
        Path.of(prop("netpol.dist", "../distribution/target/netpol")).toAbsolutePath().normalize(),
        CaseSelection.parse(prop("netpol.conformance", "default")),
        Arrays.stream(prop("netpol.conformance.backends", "ebpf").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList(),
        families,
        pods(prop("netpol.conformance.pods", "lab")),
        Path.of(prop("netpol.conformance.report", "target/conformance")),
        new CaseRunner.Timing(
            num("netpol.conformance.probeTimeoutMs", 400),
            num("netpol.conformance.retryMs", 3000),
            num("netpol.conformance.baselineMs", 10000),
            num("netpol.conformance.settleMs", 1000)));
  }

  private static String pods(String v) {
    if (!v.equals("netns") && !v.equals("lab")) {
      throw new IllegalArgumentException(
          "netpol.conformance.pods='"
              + v
              + "': expected netns (the suite's own) or lab "
              + "(bin/netpol lab up)");
    }
    return v;
  }

  private static String prop(String name, String fallback) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() || v.startsWith("${") ? fallback : v.trim();
  }

  private static long num(String name, long fallback) {
    String v = prop(name, String.valueOf(fallback));
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + "='" + v + "': expected a number of milliseconds", e);
    }
  }
}
