package dev.netpol.metrics.internal;

import dev.netpol.api.BackendHealth;
import dev.netpol.api.BackendStatistics;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.api.status.ControllerStatus;
import dev.netpol.api.status.PodStatus;
import dev.netpol.api.status.PolicyStatus;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * netpol's metrics, computed at each scrape from the status services. Verdict and drop counts are
 * the backends' kernel counters ({@link BackendStatistics}), never counted from events. A service
 * that fails while being read leaves its metrics out of that scrape; the others still answer.
 */
final class NetpolCollector implements MultiCollector {
  private static final Logger LOG = LoggerFactory.getLogger(NetpolCollector.class);
  private final StatusSources sources;

  NetpolCollector(StatusSources sources) {
    this.sources = sources;
  }

  @Override
  public MetricSnapshots collect() {
    List<MetricSnapshot> out = new ArrayList<>();
    String active = "";
    var agent = sources.agent();
    if (agent.isPresent()) {
      try {
        active = agent.get().backend();
        agent(agent.get(), out);
      } catch (RuntimeException e) {
        LOG.debug("agent status unreadable at this scrape: {}", e.toString());
      }
    }
    backends(sources.backends(), active, out);
    sources
        .controller()
        .ifPresent(
            c -> {
              try {
                controller(c, out);
              } catch (RuntimeException e) {
                LOG.debug("controller status unreadable at this scrape: {}", e.toString());
              }
            });
    return new MetricSnapshots(out);
  }

  private static void agent(AgentStatus s, List<MetricSnapshot> out) {
    out.add(
        gauge(
            "netpol_agent_info",
            "The node agent of this container: node name and active backend (value 1).",
            Map.of(Labels.of("node", s.nodeName(), "backend", s.backend()), 1.0)));
    out.add(
        gauge(
            "netpol_agent_synced",
            "1 once the agent's pod and PolicyEndpoint caches have synced.",
            Map.of(Labels.EMPTY, s.synced() ? 1.0 : 0.0)));
    Map<Labels, Double> byState = new TreeMap<>();
    for (String state : List.of("programmed", "pending", "failed")) {
      byState.put(Labels.of("state", state), 0.0);
    }
    for (PodStatus p : s.pods()) {
      byState.merge(Labels.of("state", p.state()), 1.0, Double::sum);
    }
    out.add(gauge("netpol_agent_pods", "Local pods the agent knows of, by state.", byState));
    out.add(
        gauge(
            "netpol_agent_pods_programmed",
            "Local pods whose desired state the active backend holds.",
            Map.of(Labels.EMPTY, (double) s.programmed().size())));
    out.add(
        gauge(
            "netpol_agent_policyendpoints",
            "PolicyEndpoint objects the agent holds (its node's share).",
            Map.of(Labels.EMPTY, (double) s.policyEndpointsHeld())));
    out.add(
        counter(
            "netpol_agent_reconcile_errors",
            "Pod reconciles that failed (backend errors, missing interfaces) since start.",
            Map.of(Labels.EMPTY, (double) s.reconcileErrors())));
    out.add(
        counter(
            "netpol_agent_backend_switches",
            "Completed backend switches (make-before-break hand-overs) since start.",
            Map.of(Labels.EMPTY, (double) s.backendSwitches())));
    out.add(latency(s.latencyHistogram(), s.latencySumSeconds()));
  }

  private static MetricSnapshot latency(SortedMap<Double, Long> cumulative, double sum) {
    double[] bounds = new double[cumulative.size()];
    long[] counts = new long[cumulative.size()];
    int i = 0;
    long previous = 0;
    for (Map.Entry<Double, Long> e : cumulative.entrySet()) {
      bounds[i] = e.getKey();
      counts[i] = Math.max(0, e.getValue() - previous); // the model takes per-bucket counts
      previous = Math.max(previous, e.getValue());
      i++;
    }
    if (bounds.length == 0 || bounds[bounds.length - 1] != Double.POSITIVE_INFINITY) {
      bounds = java.util.Arrays.copyOf(bounds, bounds.length + 1);
      counts = java.util.Arrays.copyOf(counts, counts.length + 1);
      bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
    }
    return HistogramSnapshot.builder()
        .name("netpol_agent_programming_latency_seconds")
        .help(
            "From the controller seeing a change to this node having programmed it, per pod and"
                + " policy change.")
        .dataPoint(
            HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                .sum(sum)
                .build())
        .build();
  }

  private static void backends(
      List<StatusSources.NamedBackend> backends, String active, List<MetricSnapshot> out) {
    Map<Labels, Double> isActive = new LinkedHashMap<>();
    Map<Labels, Double> healthy = new LinkedHashMap<>();
    Map<Labels, Double> verdicts = new TreeMap<>();
    Map<Labels, Double> drops = new TreeMap<>();
    Map<Labels, Double> entries = new TreeMap<>();
    Map<Labels, Double> capacity = new TreeMap<>();
    Map<Labels, Double> flows = new TreeMap<>();
    for (StatusSources.NamedBackend b : backends) {
      Labels backend = Labels.of("backend", b.name());
      isActive.put(backend, b.name().equals(active) ? 1.0 : 0.0);
      try {
        BackendHealth h = b.backend().health();
        healthy.put(backend, h.healthy() ? 1.0 : 0.0);
        BackendStatistics st = b.backend().statistics();
        for (BackendStatistics.VerdictCount v : st.verdicts()) {
          verdicts.merge(
              Labels.of(
                  "backend", b.name(),
                  "namespace", v.pod().namespace(),
                  "pod", v.pod().name(),
                  "direction", v.direction(),
                  "verdict", v.allowed() ? "allowed" : "denied",
                  "policy", v.policy(),
                  "reason", v.reason()),
              (double) v.packets(),
              Double::sum);
          if (!v.allowed()) {
            drops.merge(
                Labels.of(
                    "backend", b.name(),
                    "namespace", v.pod().namespace(),
                    "pod", v.pod().name(),
                    "direction", v.direction(),
                    "reason", v.reason()),
                (double) v.packets(),
                Double::sum);
          }
        }
        for (BackendStatistics.TableUsage t : st.tables()) {
          Labels l = Labels.of("backend", b.name(), "table", t.name());
          entries.put(l, (double) t.entries());
          if (t.capacity() >= 0) {
            capacity.put(l, (double) t.capacity());
          }
        }
        flows.put(backend, (double) st.trackedFlows());
      } catch (RuntimeException e) {
        LOG.debug("backend {} unreadable at this scrape: {}", b.name(), e.toString());
      }
    }
    out.add(
        gauge(
            "netpol_backend_active",
            "1 for the backend the agent programs, 0 for the others registered.",
            isActive));
    out.add(
        gauge("netpol_backend_healthy", "The backend's own health check (1 healthy).", healthy));
    out.add(
        counter(
            "netpol_policy_verdicts",
            "Packets decided by the datapath (per-CPU kernel counters), by pod, direction, verdict,"
                + " deciding policy and reason.",
            verdicts));
    out.add(
        counter(
            "netpol_policy_drops",
            "Packets denied by the datapath (per-CPU kernel counters), by pod, direction and reason.",
            drops));
    out.add(
        gauge(
            "netpol_backend_table_entries",
            "Entries in each kernel table the backend fills (maps, ipsets, chains).",
            entries));
    out.add(gauge("netpol_backend_table_capacity", "Each kernel table's limit.", capacity));
    out.add(
        gauge(
            "netpol_backend_tracked_flows",
            "Connections the backend tracks now (conntrack entries).",
            flows));
  }

  private static void controller(ControllerStatus c, List<MetricSnapshot> out) {
    out.add(
        gauge(
            "netpol_controller_leader",
            "1 while this controller holds the lease and writes PolicyEndpoints.",
            Map.of(Labels.of("identity", c.identity()), c.leader() ? 1.0 : 0.0)));
    out.add(
        counter(
            "netpol_controller_policyendpoint_writes",
            "PolicyEndpoint writes (create, update, delete, status) since start.",
            Map.of(Labels.EMPTY, (double) c.writes())));
    out.add(
        counter(
            "netpol_controller_errors",
            "Failed resolutions and writes since start.",
            Map.of(Labels.EMPTY, (double) c.errors())));
    double resolved = 0;
    double unresolved = 0;
    double chunks = 0;
    for (PolicyStatus p : c.policies()) {
      if (p.resolved()) {
        resolved++;
      } else {
        unresolved++;
      }
      chunks += p.chunks().size();
    }
    Map<Labels, Double> policies = new TreeMap<>();
    policies.put(Labels.of("state", "resolved"), resolved);
    policies.put(Labels.of("state", "unresolved"), unresolved);
    out.add(gauge("netpol_controller_policies", "NetworkPolicies the controller knows.", policies));
    out.add(
        gauge(
            "netpol_controller_policyendpoints",
            "PolicyEndpoint chunks of every resolved policy.",
            Map.of(Labels.EMPTY, chunks)));
  }

  private static GaugeSnapshot gauge(String name, String help, Map<Labels, Double> points) {
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
    points.forEach(
        (l, v) -> b.dataPoint(GaugeDataPointSnapshot.builder().labels(l).value(v).build()));
    return b.build();
  }

  /** {@code name} without {@code _total}: the writer adds it. */
  private static CounterSnapshot counter(String name, String help, Map<Labels, Double> points) {
    CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
    points.forEach(
        (l, v) -> b.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(v).build()));
    return b.build();
  }
}
