package dev.netpol.metrics.internal;

import static org.junit.jupiter.api.Assertions.*;

import dev.netpol.api.BackendHealth;
import dev.netpol.api.BackendStatistics;
import dev.netpol.api.BackendStatistics.TableUsage;
import dev.netpol.api.BackendStatistics.VerdictCount;
import dev.netpol.api.PodKey;
import dev.netpol.api.ProgrammedPod;
import dev.netpol.api.status.PodStatus;
import dev.netpol.api.status.PolicyStatus;
import dev.netpol.platform.guice.Setting;
import dev.netpol.platform.guice.Settings;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The endpoint over real HTTP: every scrape parsed as the Prometheus text format. */
class MetricsServerTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private MetricsServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  private String start(StatusSources sources, String address) throws Exception {
    server = new MetricsServer(settings(address), sources);
    server.start();
    return "http://127.0.0.1:" + server.address().getPort();
  }

  @Test
  void verdictsDropsTablesAndLatencyComeFromTheStatusServices() throws Exception {
    Fixtures.Agent agent = new Fixtures.Agent();
    agent.pods =
        List.of(
            Fixtures.pod("demo/web", "programmed"),
            Fixtures.pod("demo/db", "programmed"),
            Fixtures.pod("demo/new", "pending"));
    agent.histogram = new TreeMap<>();
    agent.histogram.put(0.1, 2L);
    agent.histogram.put(1.0, 5L);
    agent.histogram.put(Double.POSITIVE_INFINITY, 6L);
    agent.sum = 7.5;
    agent.errors = 3;
    agent.held = 4;
    agent.switches = 1;
    PodKey web = PodKey.parse("demo/web");
    Fixtures.Backend ebpf = new Fixtures.Backend("ebpf");
    ebpf.statistics =
        new BackendStatistics(
            List.of(
                new VerdictCount(web, "ingress", true, "demo/allow-client", "rule", 42),
                new VerdictCount(web, "ingress", false, "", "no-rule", 7),
                new VerdictCount(web, "ingress", false, "", "no-rule", 3),
                new VerdictCount(web, "egress", false, "", "default-deny", 2)),
            List.of(new TableUsage("np_conntrack", 12, 65536), new TableUsage("np_pod", 3, -1)),
            12);
    Fixtures.Backend iptables = new Fixtures.Backend("iptables");
    iptables.health = BackendHealth.failing("chains missing");
    Fixtures.Controller controller = new Fixtures.Controller();
    controller.writes = 9;
    controller.errors = 1;
    controller.policies =
        List.of(
            new PolicyStatus("demo", "allow-client", List.of("a-0", "a-1"), 1, 2, 0, true, ""),
            new PolicyStatus("demo", "broken", List.of(), 0, 0, 0, false, "bad port"));
    Fixtures.Sources sources = new Fixtures.Sources().with(ebpf).with(iptables);
    sources.agent = agent;
    sources.controller = controller;

    String base = start(sources, "127.0.0.1:0");
    HttpResponse<String> r = get(base + "/metrics");
    assertEquals(200, r.statusCode());
    assertTrue(
        r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
        r.headers().toString());
    Exposition m = Exposition.parse(r.body());
    assertEquals("counter", m.types().get("netpol_policy_verdicts_total"));
    assertEquals(
        42,
        m.value(
            "netpol_policy_verdicts_total",
            "backend",
            "ebpf",
            "namespace",
            "demo",
            "pod",
            "web",
            "direction",
            "ingress",
            "verdict",
            "allowed",
            "policy",
            "demo/allow-client",
            "reason",
            "rule"));
    assertEquals(
        10,
        m.value(
            "netpol_policy_verdicts_total",
            "pod",
            "web",
            "direction",
            "ingress",
            "verdict",
            "denied",
            "reason",
            "no-rule"),
        "equal label sets are summed");
    assertEquals(10, m.value("netpol_policy_drops_total", "pod", "web", "direction", "ingress"));
    assertEquals(
        2, m.value("netpol_policy_drops_total", "direction", "egress", "reason", "default-deny"));
    assertEquals(
        12, m.value("netpol_backend_table_entries", "backend", "ebpf", "table", "np_conntrack"));
    assertEquals(
        65536,
        m.value("netpol_backend_table_capacity", "backend", "ebpf", "table", "np_conntrack"));
    assertTrue(
        m.find("netpol_backend_table_capacity", "table", "np_pod").isEmpty(),
        "a table without a limit has no capacity sample");
    assertEquals(12, m.value("netpol_backend_tracked_flows", "backend", "ebpf"));
    assertEquals(1, m.value("netpol_backend_active", "backend", "ebpf"));
    assertEquals(0, m.value("netpol_backend_active", "backend", "iptables"));
    assertEquals(1, m.value("netpol_backend_healthy", "backend", "ebpf"));
    assertEquals(0, m.value("netpol_backend_healthy", "backend", "iptables"));

    assertEquals("histogram", m.types().get("netpol_agent_programming_latency_seconds"));
    assertEquals(2, m.value("netpol_agent_programming_latency_seconds_bucket", "le", "0.1"));
    assertEquals(5, m.value("netpol_agent_programming_latency_seconds_bucket", "le", "1.0"));
    assertEquals(6, m.value("netpol_agent_programming_latency_seconds_bucket", "le", "+Inf"));
    assertEquals(6, m.value("netpol_agent_programming_latency_seconds_count"));
    assertEquals(7.5, m.value("netpol_agent_programming_latency_seconds_sum"));
    assertEquals(3, m.value("netpol_agent_reconcile_errors_total"));
    assertEquals(1, m.value("netpol_agent_backend_switches_total"));
    assertEquals(4, m.value("netpol_agent_policyendpoints"));
    assertEquals(2, m.value("netpol_agent_pods", "state", "programmed"));
    assertEquals(1, m.value("netpol_agent_pods", "state", "pending"));
    assertEquals(0, m.value("netpol_agent_pods", "state", "failed"));
    assertEquals(2, m.value("netpol_agent_pods_programmed"));
    assertEquals(1, m.value("netpol_agent_synced"));
    assertEquals(1, m.value("netpol_agent_info", "node", "node-1", "backend", "ebpf"));

    assertEquals(1, m.value("netpol_controller_leader", "identity", "ctrl-1"));
    assertEquals(9, m.value("netpol_controller_policyendpoint_writes_total"));
    assertEquals(1, m.value("netpol_controller_errors_total"));
    assertEquals(1, m.value("netpol_controller_policies", "state", "resolved"));
    assertEquals(1, m.value("netpol_controller_policies", "state", "unresolved"));
    assertEquals(2, m.value("netpol_controller_policyendpoints"));

    assertFalse(m.find("jvm_memory_used_bytes", "area", "heap").isEmpty(), "JVM metrics too");
  }

  @Test
  void aFailingBackendLeavesItsOwnMetricsOutOnly() throws Exception {
    Fixtures.Backend broken = new Fixtures.Backend("ebpf");
    broken.failure = new IllegalStateException("map gone");
    Fixtures.Sources sources = new Fixtures.Sources().with(broken);
    sources.agent = new Fixtures.Agent();
    String base = start(sources, "127.0.0.1:0");
    HttpResponse<String> r = get(base + "/metrics");
    assertEquals(200, r.statusCode());
    Exposition m = Exposition.parse(r.body());
    assertTrue(m.find("netpol_backend_healthy").isEmpty(), r.body());
    assertEquals(1, m.value("netpol_backend_active", "backend", "ebpf"));
    assertEquals(1, m.value("netpol_agent_synced"));
  }

  @Test
  void readinessFollowsTheSyncAndTheActiveBackendsHealth() throws Exception {
    Fixtures.Agent agent = new Fixtures.Agent();
    Fixtures.Backend ebpf = new Fixtures.Backend("ebpf");
    Fixtures.Sources sources = new Fixtures.Sources().with(ebpf);
    String base = start(sources, "127.0.0.1:0");

    HttpResponse<String> none = get(base + "/readyz");
    assertEquals(503, none.statusCode());
    assertTrue(none.body().contains("neither an agent nor a controller"), none.body());

    sources.agent = agent;
    agent.synced = false;
    HttpResponse<String> notSynced = get(base + "/readyz");
    assertEquals(503, notSynced.statusCode());
    assertTrue(notSynced.body().contains("not synced"), notSynced.body());

    agent.synced = true;
    ebpf.health = BackendHealth.failing("filters do not run the pinned programs for [demo/web]");
    HttpResponse<String> unhealthy = get(base + "/readyz");
    assertEquals(503, unhealthy.statusCode());
    assertTrue(unhealthy.body().contains("demo/web"), unhealthy.body());

    ebpf.health = BackendHealth.ok("2 pods enforced");
    HttpResponse<String> ready = get(base + "/readyz");
    assertEquals(200, ready.statusCode(), ready.body());
    assertTrue(ready.body().contains("2 pods enforced"), ready.body());

    PodStatus failing = Fixtures.pod("demo/db", "failed");
    agent.pods = List.of(Fixtures.pod("demo/web", "programmed"), failing);
    HttpResponse<String> failed = get(base + "/readyz");
    assertEquals(503, failed.statusCode(), "a pod failing to program");
    assertTrue(failed.body().contains("1 pod(s) failed to program on ebpf, e.g. demo/db"));
    agent.pods =
        List.of(Fixtures.pod("demo/web", "programmed"), Fixtures.pod("demo/db", "pending"));
    HttpResponse<String> unpinned = get(base + "/readyz");
    assertEquals(503, unpinned.statusCode(), "programmed, but the kernel holds nothing for it");
    assertTrue(unpinned.body().contains("no pinned state for 1 programmed pod(s), e.g. demo/web"));
    PodKey web = PodKey.parse("demo/web");
    ebpf.held = Map.of(web, new ProgrammedPod(web, "veth1", List.of(), "abc"));
    assertEquals(200, get(base + "/readyz").statusCode(), "pending pods do not count");

    agent.backend = "";
    assertEquals(503, get(base + "/readyz").statusCode());

    sources.agent = null;
    sources.controller = new Fixtures.Controller();
    assertEquals(200, get(base + "/readyz").statusCode(), "a controller alone is ready");

    assertEquals(200, get(base + "/healthz").statusCode());
    assertEquals(200, get(base + "/livez").statusCode());
  }

  @Test
  void livenessFailsWhenTheHeartbeatStalls() {
    long[] now = {1_000_000};
    try (Health h = new Health(new Fixtures.Sources(), () -> now[0], false)) {
      assertTrue(h.liveness().ok());
      now[0] += Health.STALE_MILLIS + 1;
      Health.Verdict stale = h.liveness();
      assertFalse(stale.ok());
      assertTrue(stale.detail().contains("heartbeat"), stale.detail());
      h.beat();
      assertTrue(h.liveness().ok());
    }
  }

  @Test
  void aBusyPortFallsBackToAFreeOneAndBadAddressesAreNamed() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      String base = start(new Fixtures.Sources(), "127.0.0.1:" + taken.getLocalPort());
      assertNotEquals(taken.getLocalPort(), server.address().getPort());
      assertEquals(200, get(base + "/healthz").statusCode());
    }
    server.stop();
    // a bad value is reported by the settings (file, key, reason) and the previous one kept
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MetricsServer.ADDRESS.parser().apply("localhost"));
    assertTrue(e.getMessage().contains("not host:port"), e.getMessage());
    server = new MetricsServer(settings(""), new Fixtures.Sources());
    server.start();
    assertNull(server.address(), "empty turns the endpoint off");
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Settings settings(String address) {
    return new Settings() {
      @Override
      public <T> T get(Setting<T> setting) {
        return setting.parser().apply(address);
      }

      @Override
      public void onChange(Runnable listener) {}
    };
  }
}
