package dev.netpol.serviceproxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.lab.LabFixture;
import dev.netpol.lab.LabPod;
import dev.netpol.lab.PodSpec;
import dev.netpol.lab.ProbeResult;
import dev.netpol.lab.ServePort;
import dev.netpol.netfilter.Family;
import dev.netpol.netfilter.Netfilter;
import dev.netpol.netfilter.Table;
import dev.netpol.netfilter.process.Processes;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Pods reach each other through Service ClusterIPs allocated by the embedded API, with the proxy
 * programming the real nat table, probed with real TCP, UDP and raw SCTP packets.
 */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceProxyKernelTest {
  private static final String PREFIX =
      "NPT" + HexFormat.of().toHexDigits((short) new SecureRandom().nextInt(1 << 16)).toUpperCase();
  private static final List<ServePort> SERVE =
      List.of(ServePort.parse("80/tcp"), ServePort.parse("80/udp"), ServePort.parse("80/sctp"));
  private static LabFixture fx;
  private static TestCluster cluster;
  private static ServiceProxy proxy;
  private static LabPod client;
  private static LabPod b;
  private static LabPod c;

  @BeforeAll
  static void up() throws Exception {
    removeLeftoverChains();
    fx = new LabFixture();
    client = fx.lab.addPod(new PodSpec("x", "a", Map.of("pod", "a"), List.of(), true, null, false));
    b = fx.lab.addPod(new PodSpec("y", "b", Map.of("app", "web"), SERVE, true, null, true));
    c = fx.lab.addPod(new PodSpec("y", "c", Map.of("app", "web"), SERVE, true, null, false));
    cluster =
        new TestCluster(
            fx.kubeconfig,
            Map.of(
                "netpol.serviceproxy.chain-prefix",
                PREFIX,
                "netpol.serviceproxy.sync-delay",
                "20ms"));
    proxy = new ServiceProxy(cluster, cluster);
    proxy.start();
  }

  @AfterAll
  static void down() throws Exception {
    try {
      if (proxy != null) {
        proxy.stop();
      }
    } finally {
      try {
        if (cluster != null) {
          cluster.close();
        }
      } finally {
        removeLeftoverChains();
        if (fx != null) {
          fx.close();
        }
      }
    }
  }

  /** Chains of crashed earlier runs (prefix NPT + 4 hex) and their hooks. */
  private static void removeLeftoverChains() {
    for (Family f : Family.values()) {
      Set<String> prefixes = new HashSet<>();
      for (String line : natTable(f).split("\n")) {
        if (line.matches(":NPT[0-9A-F]{4}-.*")) {
          prefixes.add(line.substring(1, 8));
        }
      }
      for (String p : prefixes) {
        new Netfilter(p, Duration.ofSeconds(30)).removeAll(f, Table.NAT);
      }
    }
  }

  private static String natTable(Family f) {
    return Processes.check(List.of(f.tool() + "-save", "-t", "nat"), null, Duration.ofSeconds(30));
  }

  @Test
  @Order(1)
  void podReachesABackendThroughTheClusterIpOverTcpUdpAndSctp() {
    Service svc = cluster.client().services().inNamespace("y").withName("s-y-b").get();
    assertNotNull(svc, "the lab made Service s-y-b");
    String ip = svc.getSpec().getClusterIP();
    assertTrue(ip.startsWith("198.19.19") || ip.startsWith("198.19.20"), ip);
    assertEventually(
        "x/a -> " + ip + ":80/tcp",
        () -> probe("x/a", ip, 80, "tcp").detail().contains("reply: b"));
    assertEventually(
        "x/a -> " + ip + ":80/udp",
        () -> probe("x/a", ip, 80, "udp").detail().contains("reply: b"));
    assertEventually("x/a -> " + ip + ":80/sctp", () -> probe("x/a", ip, 80, "sctp").connected());
    assertFalse(probe("x/a", ip, 81, "tcp").connected(), "a port the Service does not have");
    List<String> ips = svc.getSpec().getClusterIPs();
    assertEquals(2, ips.size(), "the dual-stack pod's Service is dual-stack: " + ips);
    String ip6 = fx.lab.resolve("svc/y/s-y-b", true);
    assertEquals(ips.get(1), ip6);
    assertEventually(
        "x/a -> [" + ip6 + "]:80/udp",
        () -> probe("x/a", ip6, 80, "udp").detail().contains("reply: b"));
    assertEventually(
        "x/a -> [" + ip6 + "]:80/sctp", () -> probe("x/a", ip6, 80, "sctp").connected());
  }

  @Test
  @Order(2)
  void aPodReachesItselfThroughItsServiceByHairpinMasquerade() {
    String ip =
        cluster
            .client()
            .services()
            .inNamespace("y")
            .withName("s-y-b")
            .get()
            .getSpec()
            .getClusterIP();
    assertEventually(
        "y/b -> own service", () -> probe("y/b", ip, 80, "tcp").detail().contains("reply: b"));
  }

  @Test
  @Order(3)
  void trafficIsBalancedOverEveryReadyEndpoint() {
    Service web =
        cluster
            .client()
            .services()
            .inNamespace("y")
            .resource(
                new ServiceBuilder()
                    .withNewMetadata()
                    .withNamespace("y")
                    .withName("web")
                    .endMetadata()
                    .withNewSpec()
                    .withSelector(Map.of("app", "web"))
                    .addNewPort()
                    .withName("http")
                    .withProtocol("TCP")
                    .withPort(8080)
                    .withTargetPort(new IntOrString(80))
                    .endPort()
                    .endSpec()
                    .build())
            .create();
    String ip = web.getSpec().getClusterIP();
    Set<String> seen = new HashSet<>();
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (seen.size() < 2 && System.nanoTime() < end) {
      ProbeResult r = probe("x/a", ip, 8080, "tcp");
      if (r.connected()) {
        seen.add(r.detail());
      }
    }
    assertEquals(
        Set.of("connected (reply: b)", "connected (reply: c)"),
        seen,
        "port 8080 -> targetPort 80 on b and c");
  }

  @Test
  @Order(4)
  void ipv6ClusterIpsAreProgrammedWithIp6tables() {
    Service six =
        cluster
            .client()
            .services()
            .inNamespace("y")
            .resource(
                new ServiceBuilder()
                    .withNewMetadata()
                    .withNamespace("y")
                    .withName("web6")
                    .endMetadata()
                    .withNewSpec()
                    .withSelector(Map.of("app", "web"))
                    .withIpFamilies("IPv6")
                    .withIpFamilyPolicy("SingleStack")
                    .addNewPort()
                    .withName("http")
                    .withProtocol("TCP")
                    .withPort(80)
                    .endPort()
                    .endSpec()
                    .build())
            .create();
    String ip = six.getSpec().getClusterIP();
    assertTrue(ip.contains(":"), "IPv6 ClusterIP " + ip);
    assertEventually("x/a -> [" + ip + "]:80/tcp", () -> probe("x/a", ip, 80, "tcp").connected());
  }

  @Test
  @Order(5)
  void removedEndpointsLeaveTheRotation() {
    fx.lab.removePod("y", "c");
    String ip =
        cluster.client().services().inNamespace("y").withName("web").get().getSpec().getClusterIP();
    assertEventually(
        "only b answers",
        () -> {
          for (int i = 0; i < 10; i++) {
            if (!probe("x/a", ip, 8080, "tcp").detail().contains("reply: b")) {
              return false;
            }
          }
          return true;
        });
  }

  @Test
  @Order(6)
  void stopRemovesEveryChainAndJump() throws Exception {
    Netfilter nf = new Netfilter(PREFIX, Duration.ofSeconds(30));
    for (Family f : Family.values()) {
      Netfilter.Saved saved = nf.save(f, Table.NAT);
      assertTrue(saved.chains().containsKey(PREFIX + "-SERVICES"), f + " chains while running");
      assertEquals(3, saved.jumps().size(), f + " one copy of each hook: " + saved.jumps());
    }
    proxy.stop();
    proxy = null;
    for (Family f : Family.values()) {
      String save = natTable(f);
      assertFalse(save.contains(PREFIX), f + " rules mentioning " + PREFIX + ":\n" + save);
    }
  }

  private static ProbeResult probe(String from, String host, int port, String proto) {
    return fx.lab.probe(from, host, port, proto, Duration.ofMillis(700));
  }

  private static void assertEventually(String what, BooleanSupplier check) {
    long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < end) {
      if (check.getAsBoolean()) {
        return;
      }
    }
    throw new AssertionError("not within 15s: " + what);
  }
}
