package dev.netpol.agent.internal;

import dev.netpol.agent.internal.PolicySet.PolicyId;
import dev.netpol.api.CapacityExceededException;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.EnforcementException;
import dev.netpol.api.PodDesiredState;
import dev.netpol.api.PodKey;
import dev.netpol.api.ProgrammedPod;
import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.DirectionPolicy;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.status.PodStatus;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Level-triggered reconcile of one local pod: recompute its desired state from the caches and make
 * the given backend match it. Idempotent: the backend skips a pod whose digest is unchanged. Runs
 * on the agent's one worker thread only.
 */
final class PodReconciler {
  private static final Logger LOG = LoggerFactory.getLogger(PodReconciler.class);

  /** What the reconciler reads: this node's pods. */
  interface Caches {
    LocalPod pod(PodKey key);

    boolean synced();
  }

  /** What a pod needs, computed from the caches alone. */
  sealed interface Plan {
    /** Program this state. */
    record Apply(PodEndpoint endpoint, PodPolicy policy, List<PolicySet> policies) implements Plan {
      /** What the state was computed from: equal inputs give an equal state. */
      Inputs inputs() {
        return new Inputs(
            endpoint, policies.stream().map(p -> p.id() + "@" + p.generation()).toList());
      }
    }

    /** The pod is gone or not enforceable (host network, finished, no address). */
    record Remove() implements Plan {}

    /**
     * Nothing can be done now: no interface yet ({@code retry}), or the pod's namespace waits for a
     * complete PolicyEndpoint set and the pod's kernel state must stay as it is.
     */
    record Wait(String reason, boolean retry, List<String> addresses) implements Plan {}
  }

  private final Caches caches;
  private final Supplier<PolicyIndex> index;
  private final Function<InetAddress, Optional<String>> interfaces;
  private final Set<InetAddress> nodeAddresses;
  private final AgentSettings.Mode mode;
  private final LatencyHistogram latency;
  private final Clock clock;
  private final Runnable capacityChanged;

  /** Pods the active backend holds, with the digest of the state it enforces for each. */
  private final Map<PodKey, String> programmed = new ConcurrentHashMap<>();

  /** Per pod, the desired state the active backend last accepted (the console's reachability). */
  private final Map<PodKey, PodPolicy> policies = new ConcurrentHashMap<>();

  private final Map<PodKey, PodStatus> status = new ConcurrentHashMap<>();
  private final Map<PodKey, CapacityExceededException> capacity = new ConcurrentHashMap<>();

  /**
   * Per pod, the generation of each selecting policy whose latency was observed: replaced at every
   * successful apply and dropped with the pod, so it never outgrows the current state.
   */
  private final Map<PodKey, Map<PolicyId, String>> latencySeen = new HashMap<>();

  private final AtomicLong errors = new AtomicLong();

  /** The inputs of a pod's state: its endpoint and each selecting policy's generation. */
  record Inputs(PodEndpoint endpoint, List<String> policyGenerations) {}

  /**
   * Per pod, the inputs and digest of the state last applied. A reconcile whose inputs are equal
   * and whose backend still reports that digest skips compiling the digest and calling apply (the
   * digest of a large state is the dominant cost of a resync); {@link #forgetApplied()} makes the
   * next pass apply every pod again (a backend reporting itself unhealthy).
   */
  private final Map<PodKey, Map.Entry<Inputs, String>> applied = new ConcurrentHashMap<>();

  PodReconciler(
      Caches caches,
      Supplier<PolicyIndex> index,
      Function<InetAddress, Optional<String>> interfaces,
      Set<InetAddress> nodeAddresses,
      AgentSettings.Mode mode,
      LatencyHistogram latency,
      Clock clock,
      Runnable capacityChanged) {
    this.caches = caches;
    this.index = index;
    this.interfaces = interfaces;
    this.nodeAddresses = nodeAddresses;
    this.mode = mode;
    this.latency = latency;
    this.clock = clock;
    this.capacityChanged = capacityChanged;
  }

  /** Pods the active backend holds and their digests. */
  Map<PodKey, String> programmed() {
    return Map.copyOf(programmed);
  }

  List<PodStatus> statuses() {
    return status.values().stream().sorted(java.util.Comparator.comparing(PodStatus::key)).toList();
  }

  Optional<PodStatus> status(PodKey key) {
    return Optional.ofNullable(status.get(key));
  }

  /** Pods whose state does not fit the backend's tables now. */
  Map<PodKey, CapacityExceededException> capacityFailures() {
    return Map.copyOf(capacity);
  }

  long errors() {
    return errors.get();
  }

  /** Entries of the latency bookkeeping (pods x policies), for tests of its bound. */
  int latencyBookkeepingSize() {
    return latencySeen.values().stream().mapToInt(Map::size).sum();
  }

  /**
   * Takes the backend's view as what is programmed: after a restart, a switch or on resync. Returns
   * the pods it holds.
   */
  Set<PodKey> adopt(EnforcementBackend b) {
    Map<PodKey, ProgrammedPod> now = b.programmed();
    programmed.keySet().retainAll(now.keySet());
    applied.keySet().retainAll(now.keySet());
    policies.keySet().retainAll(now.keySet());
    now.forEach((k, v) -> programmed.put(k, v.policyDigest()));
    return now.keySet();
  }

  /** Forgets what a backend held (it was released, or is gone). */
  void forgetProgrammed() {
    programmed.clear();
    applied.clear();
    policies.clear();
  }

  /** The state the backend last accepted for the pod, if it holds one. */
  Optional<PodPolicy> programmedPolicy(PodKey key) {
    return Optional.ofNullable(policies.get(key));
  }

  /** The next reconcile of every pod calls apply, whatever its inputs (drift repair). */
  void forgetApplied() {
    applied.clear();
  }

  /** What {@code key} needs now; {@code hasState}: the backend to program holds state for it. */
  Plan plan(PodKey key, boolean hasState) {
    LocalPod pod = caches.pod(key);
    List<InetAddress> ips = pod == null ? List.of() : enforceableAddresses(pod);
    if (ips.isEmpty()) {
      return new Plan.Remove();
    }
    List<String> texts = ips.stream().map(InetAddress::getHostAddress).toList();
    if (hasState) {
      Optional<String> hold = index.get().holdIn(key.namespace());
      if (hold.isPresent()) {
        return new Plan.Wait(hold.get() + "; the kernel keeps this pod's state", false, texts);
      }
    }
    Optional<String> iface = interfaces.apply(ips.get(0));
    if (iface.isEmpty()) {
      return new Plan.Wait(
          "no route to " + ips.get(0).getHostAddress() + " on this host yet", true, texts);
    }
    List<PolicySet> policies = index.get().policiesOf(key);
    PodPolicy desired = DesiredStateCompiler.compile(key, policies, nodeAddresses, mode);
    return new Plan.Apply(new PodEndpoint(key, ips, iface.get()), desired, policies);
  }

  /** Reconciles one pod into {@code b}; returns false if it should be retried soon. */
  boolean reconcile(PodKey key, EnforcementBackend b) {
    return reconcileAll(List.of(key), b).isEmpty();
  }

  /**
   * Reconciles several pods into {@code b}: removals and waits one by one, and every pod whose
   * state must be (re)programmed in one {@link EnforcementBackend#applyAll} (a backend that
   * programs many pods in one kernel transaction then makes a first sync or a resync cheap).
   * Returns the pods to retry soon.
   */
  List<PodKey> reconcileAll(List<PodKey> keys, EnforcementBackend b) {
    List<PodKey> retry = new ArrayList<>();
    Map<PodKey, Plan.Apply> toApply = new LinkedHashMap<>();
    for (PodKey key : keys) {
      Object step = prepare(key, b);
      if (step instanceof Plan.Apply a) {
        toApply.put(key, a);
      } else if (Boolean.FALSE.equals(step)) {
        retry.add(key);
      }
    }
    if (toApply.size() == 1) {
      Map.Entry<PodKey, Plan.Apply> only = toApply.entrySet().iterator().next();
      try {
        apply(only.getKey(), b, only.getValue());
      } catch (EnforcementException | RuntimeException e) {
        if (!failedToApply(only.getKey(), b, only.getValue(), e)) {
          retry.add(only.getKey());
        }
      }
    } else if (!toApply.isEmpty()) {
      List<PodDesiredState> states = new ArrayList<>();
      toApply.values().forEach(a -> states.add(new PodDesiredState(a.endpoint(), a.policy())));
      Map<PodKey, EnforcementException> failed;
      try {
        failed = b.applyAll(states);
      } catch (RuntimeException e) {
        failed = new HashMap<>();
        for (PodKey k : toApply.keySet()) {
          failed.put(k, new EnforcementException(e.getMessage(), e));
        }
      }
      for (Map.Entry<PodKey, Plan.Apply> e : toApply.entrySet()) {
        EnforcementException why = failed.get(e.getKey());
        if (why == null) {
          recordApplied(e.getKey(), b, e.getValue());
        } else if (!failedToApply(e.getKey(), b, e.getValue(), why)) {
          retry.add(e.getKey());
        }
      }
      LOG.debug(
          "{} pods programmed together on {}, {} failed", states.size(), b.name(), failed.size());
    }
    return retry;
  }

  /**
   * Everything of a reconcile up to the apply: {@code TRUE} done, {@code FALSE} retry soon, or the
   * {@link Plan.Apply} to program.
   */
  private Object prepare(PodKey key, EnforcementBackend b) {
    if (!caches.synced()) {
      return true; // the sync event re-marks every pod
    }
    if (b == null) {
      PodStatus s = status.get(key);
      if (s != null || caches.pod(key) != null) {
        status.put(key, pending(key, s, "no enforcement backend is active"));
      }
      return true; // a new backend re-marks every pod
    }
    Plan plan = plan(key, programmed.containsKey(key));
    try {
      if (plan instanceof Plan.Remove) {
        if (programmed.remove(key) != null) {
          b.remove(key);
          LOG.info("pod {}: removed from backend {}", key, b.name());
        }
        forget(key);
        return true;
      }
      if (plan instanceof Plan.Wait w) {
        PodStatus s = status.get(key);
        status.put(
            key,
            new PodStatus(
                key,
                s == null ? "" : s.hostInterface(),
                w.addresses(),
                "pending",
                s == null ? List.of() : s.policies(),
                s == null ? -1 : s.ingressRules(),
                s == null ? -1 : s.egressRules(),
                programmed.get(key),
                s == null ? null : s.programmedAt(),
                s == null ? Double.NaN : s.lastLatencySeconds(),
                w.reason()));
        if (w.retry()) {
          LOG.warn("pod {}: {}; retrying", key, w.reason());
        } else {
          LOG.debug("pod {}: {}", key, w.reason());
        }
        return !w.retry();
      }
      Plan.Apply a = (Plan.Apply) plan;
      Map.Entry<Inputs, String> last = applied.get(key);
      if (last != null
          && last.getKey().equals(a.inputs())
          && last.getValue().equals(programmed.get(key))) {
        PodStatus st = status.get(key);
        if (st != null && !"programmed".equals(st.state())) {
          status.put(
              key,
              new PodStatus(
                  key,
                  a.endpoint().hostInterface(),
                  st.addresses(),
                  "programmed",
                  st.policies(),
                  st.ingressRules(),
                  st.egressRules(),
                  last.getValue(),
                  st.programmedAt(),
                  st.lastLatencySeconds(),
                  ""));
        }
        return true; // unchanged since the last apply, and the backend still holds it
      }
      return a;
    } catch (EnforcementException | RuntimeException e) {
      errors.incrementAndGet();
      LOG.error("pod {}: backend {} failed: {}", key, b.name(), e.getMessage());
      failed(key, plan, e.getMessage());
      return false;
    }
  }

  /** A pod the backend did not program; returns true if it is not to be retried soon. */
  private boolean failedToApply(PodKey key, EnforcementBackend b, Plan.Apply plan, Exception e) {
    errors.incrementAndGet();
    if (e instanceof CapacityExceededException c) {
      LOG.error(
          "pod {}: backend {} cannot hold its state: {}; the pod keeps its previous state",
          key,
          b.name(),
          c.getMessage());
      failed(key, plan, c.getMessage());
      CapacityExceededException before = capacity.put(key, c);
      if (before == null || !before.getMessage().equals(c.getMessage())) {
        capacityChanged.run();
      }
      return true; // retried when its policies change, and at every resync
    }
    LOG.error("pod {}: backend {} failed: {}", key, b.name(), e.getMessage());
    failed(key, plan, e.getMessage());
    return false;
  }

  private void apply(PodKey key, EnforcementBackend b, Plan.Apply a) throws EnforcementException {
    b.apply(a.endpoint(), a.policy());
    recordApplied(key, b, a);
  }

  /** The bookkeeping after the backend programmed {@code a}. */
  private void recordApplied(PodKey key, EnforcementBackend b, Plan.Apply a) {
    String digest = a.policy().digest();
    boolean changed = !digest.equals(programmed.get(key));
    programmed.put(key, digest);
    policies.put(key, a.policy());
    applied.put(key, Map.entry(a.inputs(), digest));
    Instant now = clock.instant();
    PodStatus before = status.get(key);
    double last = observeLatency(key, a.policies(), now);
    if (Double.isNaN(last) && before != null) {
      last = before.lastLatencySeconds();
    }
    status.put(
        key,
        new PodStatus(
            key,
            a.endpoint().hostInterface(),
            a.endpoint().addresses().stream().map(InetAddress::getHostAddress).toList(),
            "programmed",
            a.policies().stream().map(p -> p.id().toString()).toList(),
            rules(a.policy().ingress()),
            rules(a.policy().egress()),
            digest,
            changed || before == null || before.programmedAt() == null
                ? now
                : before.programmedAt(),
            last,
            ""));
    if (capacity.remove(key) != null) {
      capacityChanged.run();
    }
    if (changed) {
      LOG.info(
          "pod {}: programmed on {} via {} (ingress {}, egress {}, policy {})",
          key,
          a.endpoint().hostInterface(),
          b.name(),
          describe(a.policy().ingress()),
          describe(a.policy().egress()),
          digest);
    }
  }

  private void failed(PodKey key, Plan plan, String message) {
    PodStatus s = status.get(key);
    List<String> addresses = s == null ? List.of() : s.addresses();
    String iface = s == null ? "" : s.hostInterface();
    List<String> policies = s == null ? List.of() : s.policies();
    if (plan instanceof Plan.Apply a) {
      addresses = a.endpoint().addresses().stream().map(InetAddress::getHostAddress).toList();
      iface = a.endpoint().hostInterface();
      policies = a.policies().stream().map(p -> p.id().toString()).toList();
    }
    status.put(
        key,
        new PodStatus(
            key,
            iface,
            addresses,
            "failed",
            policies,
            s == null ? -1 : s.ingressRules(),
            s == null ? -1 : s.egressRules(),
            programmed.get(key),
            s == null ? null : s.programmedAt(),
            s == null ? Double.NaN : s.lastLatencySeconds(),
            message));
  }

  private static PodStatus pending(PodKey key, PodStatus s, String reason) {
    return new PodStatus(
        key,
        s == null ? "" : s.hostInterface(),
        s == null ? List.of() : s.addresses(),
        "pending",
        s == null ? List.of() : s.policies(),
        s == null ? -1 : s.ingressRules(),
        s == null ? -1 : s.egressRules(),
        s == null ? "" : s.policyDigest(),
        s == null ? null : s.programmedAt(),
        s == null ? Double.NaN : s.lastLatencySeconds(),
        reason);
  }

  private void forget(PodKey key) {
    status.remove(key);
    applied.remove(key);
    policies.remove(key);
    latencySeen.remove(key);
    if (capacity.remove(key) != null) {
      capacityChanged.run();
    }
  }

  private static int rules(DirectionPolicy d) {
    return d.isolated() ? d.rules().size() : -1;
  }

  private static String describe(DirectionPolicy d) {
    return d.isolated() ? d.rules().size() + " rules" : "open";
  }

  /**
   * Records "change seen by the controller → in force here" once per pod and policy generation;
   * returns the latest observation of this call, or NaN.
   */
  private double observeLatency(PodKey key, List<PolicySet> policies, Instant now) {
    Map<PolicyId, String> before = latencySeen.getOrDefault(key, Map.of());
    Map<PolicyId, String> after = new HashMap<>();
    double last = Double.NaN;
    for (PolicySet p : policies) {
      after.put(p.id(), p.generation());
      if (p.generation().equals(before.get(p.id())) || p.changeSeenAt() == null) {
        continue;
      }
      double s = (now.toEpochMilli() - p.changeSeenAt().toEpochMilli()) / 1000.0;
      if (s >= 0) {
        latency.observe(s);
        last = s;
        LOG.debug("pod {}: policy {} programmed {} s after the change", key, p.id(), s);
      }
    }
    if (after.isEmpty()) {
      latencySeen.remove(key);
    } else {
      latencySeen.put(key, after);
    }
    return last;
  }

  /** Pods that are host-network, finished, or without an address are not enforced. */
  static List<InetAddress> enforceableAddresses(LocalPod pod) {
    if (pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
      return List.of();
    }
    if (pod.getStatus() == null) {
      return List.of();
    }
    String phase = pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return List.of();
    }
    Set<String> texts = new LinkedHashSet<>();
    if (pod.getStatus().getPodIPs() != null) {
      for (LocalPod.PodIP ip : pod.getStatus().getPodIPs()) {
        if (ip.getIp() != null) {
          texts.add(ip.getIp());
        }
      }
    }
    if (pod.getStatus().getPodIP() != null) {
      texts.add(pod.getStatus().getPodIP());
    }
    List<InetAddress> out = new ArrayList<>();
    for (String t : texts) {
      try {
        out.add(Cidr.parseAddress(t, "status.podIPs", t));
      } catch (RuntimeException e) {
        LOG.warn(
            "pod {}/{}: status.podIPs has '{}', not an address; ignored",
            pod.getMetadata().getNamespace(),
            pod.getMetadata().getName(),
            t);
      }
    }
    return out;
  }
}
