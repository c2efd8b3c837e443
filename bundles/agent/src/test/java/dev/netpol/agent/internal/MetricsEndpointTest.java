package dev.netpol.agent.internal;

import static org.junit.jupiter.api.Assertions.*;

import dev.netpol.api.PodKey;
import dev.netpol.api.status.AgentStatus;
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
}
