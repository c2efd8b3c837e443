package dev.netpol.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.lab.internal.LabCommand;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@code netpol lab} as a user types it: the e2e model up, probes, list and down, across
 * invocations.
 */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
class LabCommandKernelTest {
  private static LabFixture fx;
  private static KubernetesClient client;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @BeforeAll
  static void up() throws Exception {
    System.setProperty("netpol.lab.name-prefix", LabFixture.PREFIX_FAMILY);
    fx = new LabFixture();
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(null, Files.readString(fx.kubeconfig), null))
            .withHttpClientFactory(new JdkHttpClientFactory())
            .build();
  }

  @AfterAll
  static void down() throws Exception {
    try {
      new LabCommand()
          .run(
              List.of(
                  "down",
                  "--kubeconfig",
                  fx.kubeconfig.toString(),
                  "--data-dir",
                  fx.dir.resolve("cli").toString()),
              System.out,
              System.err);
      client.close();
    } finally {
      fx.close();
    }
  }

  private int lab(String... args) throws Exception {
    out.reset();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--kubeconfig",
            fx.kubeconfig.toString(),
            "--data-dir",
            fx.dir.resolve("cli").toString()));
    if (args[0].equals("up") || args[0].equals("pod")) {
      all.addAll(List.of("--pool4", fx.pool4, "--pool6", fx.pool6));
    }
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    return new LabCommand().run(all, ps, ps);
  }

  @Test
  void upProbeListDown() throws Exception {
    assertEquals(
        0,
        lab(
            "up",
            "--namespaces",
            "x,y",
            "--pods",
            "a,b",
            "--serve",
            "80/tcp,81/tcp,80/udp,80/sctp",
            "--service"),
        out.toString());
    Pod b = client.pods().inNamespace("y").withName("b").get();
    assertNotNull(b);
    assertEquals("b", b.getMetadata().getLabels().get("pod"));
    assertEquals("Running", b.getStatus().getPhase());
    Service s = client.services().inNamespace("y").withName("s-y-b").get();
    assertNotNull(s, "service s-y-b");
    assertEquals(
        List.of(80, 81, 80, 80), s.getSpec().getPorts().stream().map(p -> p.getPort()).toList());

    assertEquals(0, lab("probe", "x/a", "y/b", "80"), out.toString());
    assertEquals("connected (reply: b)", out.toString().strip());
    assertEquals(0, lab("probe", "y/a", "x/b", "80", "--protocol", "udp"), out.toString());
    assertEquals(0, lab("probe", "y/a", "x/a", "80", "--protocol", "sctp"), out.toString());
    assertEquals(1, lab("probe", "x/a", "y/b", "82", "--timeout", "300ms"), out.toString());
    assertTrue(out.toString().startsWith("blocked"), out.toString());
    // svc/NS/NAME resolution is covered by LabKernelTest; whether its ClusterIP answers depends on
    // a service proxy that other processes on this machine may run, so it is not asserted here.

    assertEquals(0, lab("pod", "add", "z/c", "--labels", "pod=c"), out.toString());
    assertEquals(0, lab("list"));
    assertEquals(6, out.toString().lines().count(), out.toString());
    assertEquals(0, lab("pod", "rm", "z/c"), out.toString());
    assertEquals(1, lab("pod", "rm", "z/c"), "second removal finds nothing");

    String prefix =
        new Lab(
                new LabConfig(
                    fx.dir.resolve("cli"), null, fx.pool4, fx.pool6, "nplt", "n", "127.0.0.1"))
            .prefix();
    assertEquals(0, lab("down"), out.toString());
    assertTrue(out.toString().contains("removed 4 pods"), out.toString());
    try (var netns = Files.list(Path.of("/run/netns"))) {
      assertFalse(
          netns.anyMatch(p -> p.getFileName().toString().startsWith(prefix)),
          "no netns " + prefix + "*");
    }
    try (var links = Files.list(Path.of("/sys/class/net"))) {
      assertFalse(
          links.anyMatch(p -> p.getFileName().toString().startsWith(prefix)),
          "no link " + prefix + "*");
    }
    assertNull(client.pods().inNamespace("y").withName("b").get());
    assertNull(client.services().inNamespace("y").withName("s-y-b").get());
    assertEquals(0, lab("list"));
    assertEquals(1, out.toString().lines().count(), "only the header: " + out);
  }
}
