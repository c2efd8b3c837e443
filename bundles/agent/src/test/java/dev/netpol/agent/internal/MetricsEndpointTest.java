package dev.netpol.agent.internal;

import static org.junit.jupiter.api.Assertions.*;

import dev.netpol.api.PodKey;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.platform.guice.Setting;
import dev.netpol.platform.guice.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {
  @Test
  void rendersTheHistogramCumulativelyWithTheNodeLabel() {
    LatencyHistogram h = new LatencyHistogram();
    h.observe(0.003);
    h.observe(0.2);
    h.observe(0.2);
    h.observe(100);
    AgentStatus s =
        new AgentStatus() {
          public String nodeName() {
            return "n1";
          }

          public String backend() {
            return "ebpf";
          }

          public boolean synced() {
            return true;
          }

          public Map<PodKey, String> programmed() {
            return Map.of(new PodKey("x", "a"), "d");
          }

          public SortedMap<Double, Long> latencyHistogram() {
            return h.snapshot();
          }
        };
    String text = MetricsEndpoint.render(s);
    assertTrue(
        text.contains(
            "netpol_agent_programming_latency_seconds_bucket{node=\"n1\",le=\"0.005\"} 1\n"),
        text);
    assertTrue(text.contains("le=\"0.25\"} 3\n"), text);
    assertTrue(text.contains("le=\"60.0\"} 3\n"), text);
    assertTrue(text.contains("le=\"+Inf\"} 4\n"), text);
    assertTrue(
        text.contains("netpol_agent_programming_latency_seconds_count{node=\"n1\"} 4\n"), text);
    assertTrue(
        text.contains("netpol_agent_pods_programmed{node=\"n1\",backend=\"ebpf\"} 1\n"), text);
    assertTrue(text.contains("netpol_agent_synced{node=\"n1\"} 1\n"), text);
  }

  @Test
  void healthAnswersWhileRunningAndReadinessFollowsTheSyncAndTheBackend() throws Exception {
    boolean[] synced = {false};
    String[] backend = {"ebpf"};
    AgentStatus s =
        new AgentStatus() {
          public String nodeName() {
            return "n1";
          }

          public String backend() {
            return backend[0];
          }

          public boolean synced() {
            return synced[0];
          }

          public Map<PodKey, String> programmed() {
            return Map.of();
          }

          public SortedMap<Double, Long> latencyHistogram() {
            return new LatencyHistogram().snapshot();
          }
        };
    Settings settings =
        new Settings() {
          @SuppressWarnings("unchecked")
          public <T> T get(Setting<T> setting) {
            return (T) "127.0.0.1:0";
          }

          public void onChange(Runnable listener) {}
        };
    MetricsEndpoint endpoint = new MetricsEndpoint(settings, s);
    endpoint.start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + endpoint.address().getPort();
      assertEquals(200, get(http, base + "/healthz").statusCode());
      HttpResponse<String> notSynced = get(http, base + "/readyz");
      assertEquals(503, notSynced.statusCode());
      assertTrue(notSynced.body().contains("not synced"), notSynced.body());
      synced[0] = true;
      assertEquals(200, get(http, base + "/readyz").statusCode());
      backend[0] = "";
      HttpResponse<String> noBackend = get(http, base + "/readyz");
      assertEquals(503, noBackend.statusCode());
      assertTrue(noBackend.body().contains("no enforcement backend"), noBackend.body());
      assertEquals(200, get(http, base + "/metrics").statusCode());
    } finally {
      endpoint.stop();
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
