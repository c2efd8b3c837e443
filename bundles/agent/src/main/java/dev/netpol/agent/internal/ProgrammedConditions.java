package dev.netpol.agent.internal;

import dev.netpol.api.CapacityExceededException;
import dev.netpol.api.PodKey;
import dev.netpol.api.status.PodStatus;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.policyendpoint.PolicyEndpointStatus;
import dev.netpol.watch.KubeCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells operators, on the PolicyEndpoints themselves, that this node cannot enforce a policy for a
 * pod because the backend's tables are too small: condition {@code Programmed.<node>} with status
 * {@code False}, reason {@code CapacityExceeded} and a message naming the node, the pods, the table
 * and its limit, on every chunk of each policy that selects such a pod. The condition is removed
 * once every pod of the policy on this node is programmed again.
 *
 * <p>One condition type per node, so agents never overwrite each other; the controller's {@code
 * Resolved} condition is left as it is. Written through the status subresource from a fresh read,
 * retried on 409 Conflict, only when it differs; level-triggered from the reconciler's failures and
 * the informer's view, on its own thread (API calls never stall programming).
 */
final class ProgrammedConditions {
  static final String REASON = "CapacityExceeded";
  private static final Logger LOG = LoggerFactory.getLogger(ProgrammedConditions.class);
  private static final int CONFLICT_RETRIES = 5;

  private final String type;
  private final String node;
  private final Supplier<Optional<KubeCluster>> cluster;
  private final Supplier<PolicyIndex> index;
  private final Function<PodKey, Optional<PodStatus>> podStatus;
  private final Clock clock;
  private final ScheduledExecutorService exec =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "netpol-agent-conditions");
            t.setDaemon(true);
            return t;
          });
  private final AtomicBoolean queued = new AtomicBoolean();
  private volatile Map<PodKey, CapacityExceededException> failing = Map.of();

  ProgrammedConditions(
      String node,
      Supplier<Optional<KubeCluster>> cluster,
      Supplier<PolicyIndex> index,
      Function<PodKey, Optional<PodStatus>> podStatus,
      Clock clock) {
    this.type = typeFor(node);
    this.node = node;
    this.cluster = cluster;
    this.index = index;
    this.podStatus = podStatus;
    this.clock = clock;
  }

  /** The condition type this node writes. */
  static String typeFor(String node) {
    return "Programmed." + node;
  }

  void start() {
    exec.scheduleWithFixedDelay(this::schedule, 30, 30, TimeUnit.SECONDS);
  }

  void stop() {
    exec.shutdownNow();
  }

  /** The reconciler's capacity failures changed. */
  void changed(Map<PodKey, CapacityExceededException> failing) {
    setFailing(failing);
    schedule();
  }

  /** The failures the next {@link #sync()} works from (tests drive sync() themselves). */
  void setFailing(Map<PodKey, CapacityExceededException> failing) {
    this.failing = failing;
  }

  private void schedule() {
    if (queued.compareAndSet(false, true)) {
      try {
        exec.execute(
            () -> {
              queued.set(false);
              sync();
            });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        queued.set(false);
      }
    }
  }

  /** Makes the conditions on the PolicyEndpoints this node holds match the failures. */
  void sync() {
    Optional<KubeCluster> c = cluster.get();
    if (c.isEmpty()) {
      return;
    }
    PolicyIndex idx = index.get();
    Map<String, String> desired = desired(idx, failing);
    boolean retry = false;
    for (PolicyEndpoint pe : idx.heldObjects()) {
      String key = pe.getMetadata().getNamespace() + "/" + pe.getMetadata().getName();
      String want = desired.get(key);
      Condition have = condition(pe, type);
      if (want == null && have == null
          || want != null && have != null && want.equals(have.getMessage())) {
        continue;
      }
      if (want == null && !allReconciled(idx, pe)) {
        continue; // after a restart: keep it until its pods have been tried again
      }
      try {
        write(c.get(), pe, want);
      } catch (RuntimeException e) {
        retry = true;
        LOG.warn(
            "policyendpoint {}: cannot write condition {}: {}; retrying",
            key,
            type,
            e.getMessage());
      }
    }
    if (retry) {
      exec.schedule(this::schedule, 5, TimeUnit.SECONDS);
    }
  }

  /** PolicyEndpoint ({@code namespace/name}) to the condition message it should carry. */
  Map<String, String> desired(PolicyIndex idx, Map<PodKey, CapacityExceededException> failing) {
    Map<String, TreeMap<PodKey, String>> perPe = new HashMap<>();
    for (var f : failing.entrySet()) {
      for (PolicySet p : idx.policiesOf(f.getKey())) {
        for (String chunk : p.chunkNames()) {
          perPe
              .computeIfAbsent(p.id().namespace() + "/" + chunk, k -> new TreeMap<>())
              .put(f.getKey(), f.getValue().getMessage());
        }
      }
    }
    Map<String, String> out = new HashMap<>();
    perPe.forEach(
        (pe, pods) -> {
          List<String> parts = new ArrayList<>(pods.values());
          String msg =
              "node "
                  + node
                  + ": "
                  + String.join("; ", parts.subList(0, Math.min(5, parts.size())))
                  + (parts.size() > 5 ? " (and " + (parts.size() - 5) + " more pods)" : "")
                  + "; these pods keep their previous state";
          out.put(pe, msg);
        });
    return out;
  }

  private boolean allReconciled(PolicyIndex idx, PolicyEndpoint pe) {
    var id = PolicySet.PolicyId.of(pe);
    for (PolicySet p : idx.policies()) {
      if (p.id().equals(id)) {
        for (PodKey k : new TreeSet<>(p.localPods())) {
          if (podStatus.apply(k).isEmpty()) {
            return false;
          }
        }
      }
    }
    return true;
  }

  private void write(KubeCluster c, PolicyEndpoint cached, String message) {
    var api =
        c.client()
            .resources(PolicyEndpoint.class)
            .inNamespace(cached.getMetadata().getNamespace())
            .withName(cached.getMetadata().getName());
    for (int attempt = 1; ; attempt++) {
      PolicyEndpoint fresh = api.get();
      if (fresh == null) {
        return; // deleted meanwhile
      }
      Condition have = condition(fresh, type);
      if (message == null ? have == null : have != null && message.equals(have.getMessage())) {
        return;
      }
      PolicyEndpointStatus st =
          fresh.getStatus() == null ? new PolicyEndpointStatus() : fresh.getStatus();
      List<Condition> conditions = new ArrayList<>();
      if (st.getConditions() != null) {
        st.getConditions().stream().filter(x -> !type.equals(x.getType())).forEach(conditions::add);
      }
      if (message != null) {
        String since =
            have != null && "False".equals(have.getStatus()) && have.getLastTransitionTime() != null
                ? have.getLastTransitionTime()
                : clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        conditions.add(
            new ConditionBuilder()
                .withType(type)
                .withStatus("False")
                .withReason(REASON)
                .withMessage(message)
                .withLastTransitionTime(since)
                .build());
      }
      st.setConditions(conditions);
      fresh.setStatus(st);
      try {
        c.client()
            .resources(PolicyEndpoint.class)
            .inNamespace(fresh.getMetadata().getNamespace())
            .resource(fresh)
            .updateStatus();
        LOG.info(
            "policyendpoint {}/{}: condition {} {}",
            fresh.getMetadata().getNamespace(),
            fresh.getMetadata().getName(),
            type,
            message == null ? "cleared" : "False (" + REASON + "): " + message);
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= CONFLICT_RETRIES) {
          throw e;
        }
        // someone else (the controller's Resolved condition, another node) wrote first: reread
      }
    }
  }

  static Condition condition(PolicyEndpoint pe, String type) {
    if (pe.getStatus() == null || pe.getStatus().getConditions() == null) {
      return null;
    }
    return pe.getStatus().getConditions().stream()
        .filter(c -> Objects.equals(type, c.getType()))
        .findFirst()
        .orElse(null);
  }
}
