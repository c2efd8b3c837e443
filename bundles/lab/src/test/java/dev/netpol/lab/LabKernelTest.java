package dev.netpol.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.lab.internal.Shell;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Lab pods on the real kernel, registered in a real (embedded) API, probed with real packets. */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabKernelTest {
  private static LabFixture fx;
  private static KubernetesClient client;
  private static LabPod a;
  private static LabPod b;

  @BeforeAll
  static void up() throws Exception {
    fx = new LabFixture();
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(null, Files.readString(fx.kubeconfig), null))
            .withHttpClientFactory(new JdkHttpClientFactory())
            .build();
    List<ServePort> serve =
        List.of(
            ServePort.parse("80/tcp"),
            ServePort.parse("81/udp"),
            ServePort.parse("80/udp"),
            ServePort.parse("80/sctp"));
    a = fx.lab.addPod(new PodSpec("x", "a", Map.of("pod", "a"), serve, true, null, false));
    b =
        fx.lab.addPod(
            new PodSpec(
                "y", "b", Map.of("pod", "b", "tier", "db"), serve, true, "other-node", false));
  }

  @AfterAll
  static void down() throws Exception {
    try {
      if (client != null) {
        client.close();
      }
    } finally {
      if (fx != null) {
        fx.close();
      }
    }
  }

  @Test
  @Order(1)
  void podsAreRegisteredLikeAKubeletWould() {
    Pod pod = client.pods().inNamespace("y").withName("b").get();
    assertNotNull(pod, "pod y/b in the API");
    assertEquals("other-node", pod.getSpec().getNodeName());
    assertEquals(Map.of("pod", "b", "tier", "db"), pod.getMetadata().getLabels());
    assertEquals(
        List.of("serve-80-tcp", "serve-81-udp", "serve-80-udp", "serve-80-sctp"),
        pod.getSpec().getContainers().stream().map(c -> c.getPorts().get(0).getName()).toList());
    assertEquals("SCTP", pod.getSpec().getContainers().get(3).getPorts().get(0).getProtocol());
    assertEquals("Running", pod.getStatus().getPhase());
    assertEquals(b.ipv4(), pod.getStatus().getPodIP());
    assertEquals(
        List.of(b.ipv4(), b.ipv6()),
        pod.getStatus().getPodIPs().stream().map(PodIP::getIp).toList());
    assertEquals("192.0.2.250", pod.getStatus().getHostIP());
    assertTrue(
        pod.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True")));
    assertEquals(
        "lab-test-node",
        client.pods().inNamespace("x").withName("a").get().getSpec().getNodeName());
    assertNotNull(client.namespaces().withName("x").get(), "namespace x created");
  }

  @Test
  @Order(2)
  void kernelStateIsARoutedVethPod() {
    assertTrue(Files.exists(Path.of("/run/netns", a.netns())));
    assertTrue(Files.exists(Path.of("/sys/class/net", a.hostVeth())));
    assertTrue(a.hostVeth().length() <= 15 && a.hostVeth().startsWith(LabFixture.PREFIX_FAMILY));
    assertTrue(
        Shell.check("ip", "route", "show", a.ipv4() + "/32").contains("dev " + a.hostVeth()));
    assertTrue(
        Shell.check("ip", "-6", "route", "show", a.ipv6() + "/128")
            .contains("dev " + a.hostVeth()));
    assertTrue(Shell.check("ip", "route", "show", "type", "blackhole").contains("198.18.0.0/15"));
    assertTrue(
        Shell.check("ip", "-6", "route", "show", "type", "blackhole").contains("fd00:198:18::/48"));
    String podRoutes = Shell.check("ip", "-n", a.netns(), "route");
    assertTrue(podRoutes.contains("default via 169.254.1.1 dev eth0"), podRoutes);
    assertTrue(Files.exists(Path.of("/proc", Long.toString(a.pid()))), "server process runs");
  }

  @Test
  @Order(3)
  void tcpAndUdpReachOtherPodsByIp() {
    assertConnected("x/a", b.ipv4(), 80, "tcp");
    assertConnected("y/b", a.ipv4(), 80, "tcp");
    assertConnected("x/a", b.ipv6(), 80, "tcp");
    assertConnected("x/a", b.ipv4(), 81, "udp");
    assertConnected("x/a", b.ipv6(), 80, "udp");
    ProbeResult closed = fx.lab.probe("x/a", b.ipv4(), 81, "tcp", Duration.ofMillis(500));
    assertFalse(closed.connected(), "nothing listens on 81/tcp");
    assertFalse(fx.lab.probe("x/a", b.ipv4(), 82, "udp", Duration.ofMillis(300)).connected());
  }

  @Test
  @Order(4)
  void theHostReachesPodsWithARealJavaSocket() throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(a.ipv4(), 80), 2000);
      s.setSoTimeout(2000);
      InputStream in = s.getInputStream();
      assertEquals("a\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  @Order(5)
  void sctpRawProbeIsCapturedAndAnswered() throws Exception {
    assertConnected("x/a", b.ipv4(), 80, "sctp");
    assertConnected("x/a", b.ipv6(), 80, "sctp");
    assertFalse(
        fx.lab.probe("x/a", b.ipv4(), 81, "sctp", Duration.ofMillis(300)).connected(),
        "81/sctp is not served");
    String capture = Files.readString(fx.dir.resolve("lab/logs/" + b.netns() + ".sctp.log"));
    assertTrue(capture.contains(a.ipv4()) && capture.contains("-> :80"), capture);
    assertFalse(capture.contains("-> :81"), capture);
  }

  @Test
  @Order(6)
  void badInputNamesTheObjectAndField() {
    IllegalArgumentException dup =
        assertThrows(
            IllegalArgumentException.class,
            () -> fx.lab.addPod(new PodSpec("x", "a", Map.of(), List.of(), false, null, false)));
    assertTrue(dup.getMessage().contains("x/a"), dup.getMessage());
    IllegalArgumentException name =
        assertThrows(
            IllegalArgumentException.class,
            () -> new PodSpec("x", "Bad_Name", Map.of(), List.of(), false, null, false));
    assertTrue(name.getMessage().contains("name 'Bad_Name'"), name.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> fx.lab.probe("x/nope", b.ipv4(), 80, "tcp", Duration.ofSeconds(1)));
  }

  @Test
  @Order(7)
  void removingAPodRemovesKernelStateProcessesAndTheObject() {
    long pid = b.pid();
    assertTrue(fx.lab.removePod("y", "b"));
    assertFalse(Files.exists(Path.of("/run/netns", b.netns())));
    assertFalse(Files.exists(Path.of("/sys/class/net", b.hostVeth())));
    assertTrue(Shell.check("ip", "route", "show", b.ipv4() + "/32").isBlank());
    assertFalse(Files.exists(Path.of("/proc", Long.toString(pid))), "server process gone");
    assertNull(client.pods().inNamespace("y").withName("b").get());
    assertFalse(fx.lab.removePod("y", "b"));
    assertEquals(1, fx.lab.pods().size());
  }

  @Test
  @Order(8)
  void downLeavesNothingButTheBlackholes() {
    long pid = a.pid();
    assertTrue(fx.lab.down().isEmpty());
    assertFalse(Files.exists(Path.of("/run/netns", a.netns())));
    assertFalse(Files.exists(Path.of("/sys/class/net", a.hostVeth())));
    assertFalse(Files.exists(Path.of("/proc", Long.toString(pid))));
    assertTrue(Shell.check("ip", "route", "show", a.ipv4() + "/32").isBlank());
    assertTrue(Shell.check("ip", "-6", "route", "show", a.ipv6() + "/128").isBlank());
    assertNull(client.pods().inNamespace("x").withName("a").get());
    assertFalse(Files.exists(fx.dir.resolve("lab/state.json")));
    assertTrue(fx.lab.pods().isEmpty());
    assertTrue(
        Shell.check("ip", "route", "show", "type", "blackhole").contains("198.18.0.0/15"),
        "blackhole stays");
  }

  private static void assertConnected(String from, String host, int port, String proto) {
    ProbeResult r = fx.lab.probe(from, host, port, proto, Duration.ofSeconds(2));
    assertTrue(r.connected(), from + " -> " + host + ":" + port + "/" + proto + ": " + r.detail());
  }
}
