package dev.netpol.itests.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netpol.itests.deploy.ContainerImage;
import dev.netpol.itests.deploy.RenderedManifests;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The image's tree (laid out from the distribution's Containerfile) run the way the rendered
 * DaemonSet runs it, in a {@link PodSandbox}: its args and environment ({@code NODE_NAME} from the
 * downward API), its volumes (a fresh bpffs directory as the node's {@code /sys/fs/bpf}, the
 * rendered ConfigMap as kubelet lays it out, emptyDirs), read-only root, and root with only the
 * added capabilities. Against the API of a {@code netpol standalone}: the agent comes up, answers
 * kubelet's probes, syncs, programs lab pods on its node (policies enforced on real packets),
 * answers {@code kubectl exec ... netpol ebpf loaded}, and leaves enforcement in place when stopped
 * with SIGTERM as kubelet stops it. Lab addresses 198.18.150.0/24.
 */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
class ContainerImageIT {
  private static final String NODE = "np-img";
  private static final String DENY =
      """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {namespace: x, name: default-deny}
      spec: {podSelector: {}, policyTypes: [Ingress]}
      """;
  private static final String ALLOW =
      """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {namespace: x, name: web-from-client}
      spec:
        podSelector: {matchLabels: {pod: web}}
        ingress:
        - from: [{podSelector: {matchLabels: {pod: client}}}]
          ports: [{port: 80}]
      """;

  @Test
  void theDaemonSetsContainerRunsTheAgentThatProgramsItsNodesPods() throws Exception {
    long t0 = System.nanoTime();
    Path dist = RenderedManifests.dist();
    ContainerImage image = ContainerImage.parse(dist.resolve("Containerfile"));
    // this Debian 12 host stands in for the image's base and packages
    for (String pkg : image.packages()) {
      Cli.Result r = Cli.run("dpkg-query", "-W", "-f=${Status}", pkg);
      assertTrue(r.out().contains("install ok installed"), "the image's package " + pkg + ": " + r);
    }
    RenderedManifests manifests = RenderedManifests.render(dist.resolve("manifests"));
    JsonNode ds = manifests.one("DaemonSet", "netpol-agent");
    Map<String, JsonNode> configMaps = new HashMap<>();
    for (JsonNode o : manifests.objects()) {
      if (o.path("kind").asText().equals("ConfigMap")) {
        configMaps.put(o.at("/metadata/name").asText(), o);
      }
    }
    JsonNode podSpec = ds.at("/spec/template/spec");
    assertTrue(podSpec.path("hostNetwork").asBoolean(), "the sandbox shares the host's network");

    try (E2eRun run = new E2eRun()) {
      NetpolProcess api =
          NetpolProcess.standalone(
              "np-s", run.work.resolve("s"), run.pinRoot("s"), "NPE" + run.hex);
      run.onClose(() -> api.stop(20));
      api.awaitLog("kubeconfig written to", 60);

      Path nodeBpffs = Files.createDirectories(run.pinRoot("img"));
      PodSandbox.Started started =
          PodSandbox.prepare(
              image,
              dist,
              podSpec,
              "agent",
              configMaps,
              Map.of(
                  "spec.nodeName",
                  NODE,
                  "metadata.name",
                  "netpol-agent-test",
                  "metadata.namespace",
                  ds.at("/metadata/namespace").asText()),
              hostPath -> hostPath.equals("/sys/fs/bpf") ? nodeBpffs : Path.of(hostPath),
              api.kubeconfig(),
              run.work.resolve("pod"));
      NetpolProcess agent =
          NetpolProcess.launch(NODE, run.work.resolve("pod/log"), nodeBpffs, started.command());
      run.onClose(() -> agent.stop(20));
      agent.awaitInSync(90);
      System.out.printf("ContainerImageIT: agent in sync after %d ms%n", ms(t0));

      // kubelet's probes, as the DaemonSet declares them
      JsonNode container = podSpec.path("containers").get(0);
      for (String probe : List.of("readinessProbe", "livenessProbe")) {
        awaitProbe(container.path(probe), probe, agent);
      }

      LabCli lab =
          new LabCli(
              api.kubeconfig(), run.work.resolve("lab"), "198.18.150.0/24", "fd00:198:18:96::/64");
      run.onClose(() -> lab.down(api.alive()));
      List<Cli.Result> added =
          Cli.netpolParallel(
              lab.args(
                  "pod",
                  "add",
                  "x/web",
                  "--labels",
                  "pod=web",
                  "--serve",
                  "80/tcp",
                  "--node",
                  NODE),
              lab.args(
                  "pod",
                  "add",
                  "x/client",
                  "--labels",
                  "pod=client",
                  "--serve",
                  "80/tcp",
                  "--node",
                  NODE),
              lab.args(
                  "pod",
                  "add",
                  "x/other",
                  "--labels",
                  "pod=other",
                  "--serve",
                  "80/tcp",
                  "--node",
                  NODE));
      LabCli.Pod web = LabCli.parseAdded(added.get(0));
      LabCli.Pod client = LabCli.parseAdded(added.get(1));
      LabCli.Pod other = LabCli.parseAdded(added.get(2));
      assertTrue(TcpProbe.connects(client.netns(), web.ipv4(), 80, 1), "no policy: open");

      long t1 = System.nanoTime();
      assertTrue(run.apply(api.kubeconfig(), "deny", DENY).ok());
      assertTrue(
          TcpProbe.until(false, client.netns(), web.ipv4(), 80, t1, 20_000) >= 0,
          "default-deny not enforced by the containerized agent\n" + agent.tail());
      long t2 = System.nanoTime();
      assertTrue(run.apply(api.kubeconfig(), "allow", ALLOW).ok());
      assertTrue(
          TcpProbe.until(true, client.netns(), web.ipv4(), 80, t2, 20_000) >= 0,
          "allow client -> web not enforced\n" + agent.tail());
      assertFalse(TcpProbe.connects(other.netns(), web.ipv4(), 80, 1), "other -> web: denied");

      // kubectl exec ds/netpol-agent -- netpol ebpf loaded
      Cli.Result loaded = started.sandbox().exec(agent.pid(), "netpol", "ebpf", "loaded");
      assertEquals(0, loaded.exit(), loaded.toString());
      for (String pod : List.of("x/web", "x/client", "x/other")) {
        assertTrue(
            loaded.out().lines().anyMatch(l -> l.startsWith(pod + "\t") && l.endsWith("enforcing")),
            pod + " in " + loaded);
      }
      String log = agent.log();
      assertFalse(
          log.contains("..data"), "the ConfigMap's bookkeeping is not configuration\n" + log);
      assertFalse(log.contains(" ERROR "), "errors in the agent's log\n" + log);
      System.out.printf(
          "ContainerImageIT: agent RSS %s with %d pods programmed (memory limit %s)%n",
          rss(agent.pid()), 3, container.at("/resources/limits/memory").asText());

      // kubelet stops the container: SIGTERM; what the agent programmed keeps enforcing
      assertEquals(143, agent.stop(podSpec.path("terminationGracePeriodSeconds").asInt(30)));
      assertTrue(TcpProbe.connects(client.netns(), web.ipv4(), 80, 1), "client -> web after stop");
      assertFalse(TcpProbe.connects(other.netns(), web.ipv4(), 80, 1), "other -> web still denied");
      assertTrue(
          Files.exists(nodeBpffs.resolve("netpol/global/np_pods")),
          "pins stay in the node's bpffs");
      System.out.printf("ContainerImageIT: checks done after %d ms%n", ms(t0));
    }
  }

  /** An httpGet probe as kubelet sends it, until it succeeds (200..399) or 60 s pass. */
  private static void awaitProbe(JsonNode probe, String what, NetpolProcess agent)
      throws Exception {
    JsonNode get = probe.path("httpGet");
    URI uri =
        URI.create(
            "http://"
                + get.path("host").asText()
                + ":"
                + get.path("port").asInt()
                + get.path("path").asText());
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long end = System.currentTimeMillis() + 60_000;
    String last = "";
    while (System.currentTimeMillis() < end) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 200 && r.statusCode() < 400) {
          return;
        }
        last = r.statusCode() + " " + r.body();
      } catch (java.io.IOException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    fail(what + " " + uri + " did not succeed: " + last + "\n" + agent.tail());
  }

  private static String rss(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
          .filter(l -> l.startsWith("VmRSS:"))
          .map(l -> l.substring(6).strip())
          .findFirst()
          .orElse("?");
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }
}
