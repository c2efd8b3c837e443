package dev.netpol.agent.internal;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a pod's host-side interface from the kernel routing table: the device of the route the host
 * uses to reach the pod's address. Works with any CNI that routes pod addresses to host veths,
 * whatever it names them.
 */
final class InterfaceFinder {
  private static final Pattern DEV = Pattern.compile("\\bdev (\\S+)");

  Optional<String> find(InetAddress podAddress) {
    String family = podAddress instanceof Inet6Address ? "-6" : "-4";
    try {
      Process p =
          new ProcessBuilder("ip", family, "-o", "route", "get", podAddress.getHostAddress())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return Optional.empty();
      }
      return parse(out);
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Parses {@code ip route get} output; routes through the loopback or none are not pods'. */
  static Optional<String> parse(String routeGetOutput) {
    if (routeGetOutput.startsWith("local ")
        || routeGetOutput.contains("blackhole")
        || routeGetOutput.contains("unreachable")) {
      return Optional.empty();
    }
    Matcher m = DEV.matcher(routeGetOutput);
    if (!m.find() || m.group(1).equals("lo")) {
      return Optional.empty();
    }
    String dev = m.group(1);
    int at = dev.indexOf('@');
    return Optional.of(at > 0 ? dev.substring(0, at) : dev);
  }
}
