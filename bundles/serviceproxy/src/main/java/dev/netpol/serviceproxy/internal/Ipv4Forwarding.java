package dev.netpol.serviceproxy.internal;

import dev.netpol.platform.guice.Managed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node routes between its pods' host interfaces: IPv4 forwarding is turned on (as container
 * runtimes and CNIs do) and left on when the node stops. Turning it off again would reset the
 * per-interface forwarding of every interface, cutting pods that other software set up. Lab traffic
 * cannot leave the machine: the lab ranges have blackhole routes.
 */
final class Ipv4Forwarding implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(Ipv4Forwarding.class);
  private static final Path SYSCTL = Path.of("/proc/sys/net/ipv4/ip_forward");

  @Override
  public void start() {
    try {
      String before = Files.readString(SYSCTL).trim();
      if (!"1".equals(before)) {
        Files.writeString(SYSCTL, "1");
        LOG.info(
            "net.ipv4.ip_forward set to 1 for pod-to-pod routing (was {}; it stays on)", before);
      }
    } catch (IOException e) {
      LOG.warn(
          "cannot turn on net.ipv4.ip_forward: {}; pods on different host interfaces cannot reach each other",
          e.getMessage());
    }
  }

  @Override
  public void stop() {
    // left on: see the class comment
  }
}
