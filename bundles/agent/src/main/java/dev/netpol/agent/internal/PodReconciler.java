package dev.netpol.agent.internal;

import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.EnforcementException;
import dev.netpol.api.PodKey;
import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.policyendpoint.ChunkSet;
import dev.netpol.policyendpoint.PolicyEndpoint;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Level-triggered reconcile of one local pod: recompute its desired state from the caches, and make
 * the backend match it. Idempotent: the backend skips a pod whose digest is unchanged.
 */
final class PodReconciler {
  private static final Logger LOG = LoggerFactory.getLogger(PodReconciler.class);

  /** What the reconciler reads: caches of this node's pods and PolicyEndpoints. */
  interface Caches {
    Pod pod(PodKey key);

    Collection<PolicyEndpoint> policyEndpoints();

    boolean synced();
  }

  private final Caches caches;
  private final Supplier<Optional<EnforcementBackend>> backend;
  private final InterfaceFinder interfaces;
  private final Set<InetAddress> nodeAddresses;
  private final AgentSettings.Mode mode;
  private final LatencyHistogram latency;
  private final Map<PodKey, String> programmed = new ConcurrentHashMap<>();
  private final Map<PodKey, PodPolicy> policies = new ConcurrentHashMap<>();
  private final Set<String> latencySeen = ConcurrentHashMap.newKeySet();

  PodReconciler(
      Caches caches,
      Supplier<Optional<EnforcementBackend>> backend,
      InterfaceFinder interfaces,
      Set<InetAddress> nodeAddresses,
      AgentSettings.Mode mode,
      LatencyHistogram latency) {
    this.caches = caches;
    this.backend = backend;
    this.interfaces = interfaces;
    this.nodeAddresses = nodeAddresses;
    this.mode = mode;
    this.latency = latency;
  }

  Map<PodKey, String> programmed() {
    return Map.copyOf(programmed);
  }

  /** The state the backend last accepted for the pod, if it holds one. */
  Optional<PodPolicy> programmedPolicy(PodKey key) {
    return Optional.ofNullable(policies.get(key));
  }

  /** Reconciles one pod; returns false if it should be retried later. */
  boolean reconcile(PodKey key) {
    Optional<EnforcementBackend> b = backend.get();
    if (b.isEmpty() || !caches.synced()) {
      return true; // nothing to program into yet; the backend or sync event re-marks every pod
    }
    Pod pod = caches.pod(key);
    List<InetAddress> ips = pod == null ? List.of() : enforceableAddresses(pod);
    try {
      if (ips.isEmpty()) {
        policies.remove(key);
        if (programmed.remove(key) != null || b.get().programmed().containsKey(key)) {
          b.get().remove(key);
          LOG.info("pod {}: removed from backend {}", key, b.get().name());
        }
        return true;
      }
      Optional<String> iface = interfaces.find(ips.get(0));
      if (iface.isEmpty()) {
        LOG.warn(
            "pod {}: no route to {} on this host yet; retrying", key, ips.get(0).getHostAddress());
        return false;
      }
      Map<String, List<PolicyEndpoint>> complete = completePolicies();
      PodPolicy desired = DesiredStateCompiler.compile(key, complete.values(), nodeAddresses, mode);
      String digest = desired.digest();
      boolean changed = !digest.equals(programmed.get(key));
      b.get().apply(new PodEndpoint(key, ips, iface.get()), desired);
      programmed.put(key, digest);
      policies.put(key, desired);
      if (changed) {
        LOG.info(
            "pod {}: programmed on {} via {} (ingress {}, egress {}, policy {})",
            key,
            iface.get(),
            b.get().name(),
            describe(desired.ingress()),
            describe(desired.egress()),
            digest);
      }
      observeLatency(key, complete.values());
      return true;
    } catch (EnforcementException | RuntimeException e) {
      LOG.error("pod {}: backend {} failed: {}", key, b.get().name(), e.getMessage());
      return false;
    }
  }

  private static String describe(dev.netpol.api.model.DirectionPolicy d) {
    return d.isolated() ? d.rules().size() + " rules" : "open";
  }

  /** Complete chunk sets per policy ({@code namespace/name}); incomplete ones are left out. */
  Map<String, List<PolicyEndpoint>> completePolicies() {
    Map<String, List<PolicyEndpoint>> byPolicy = new HashMap<>();
    for (PolicyEndpoint pe : caches.policyEndpoints()) {
      if (pe.getSpec() == null || pe.getSpec().getPolicyRef() == null) {
        continue;
      }
      String k =
          pe.getSpec().getPolicyRef().getNamespace() + "/" + pe.getSpec().getPolicyRef().getName();
      byPolicy.computeIfAbsent(k, x -> new ArrayList<>()).add(pe);
    }
    Map<String, List<PolicyEndpoint>> out = new HashMap<>();
    byPolicy.forEach((k, v) -> ChunkSet.complete(v).ifPresent(c -> out.put(k, c)));
    return out;
  }

  private void observeLatency(PodKey key, Collection<List<PolicyEndpoint>> policies) {
    for (List<PolicyEndpoint> chunks : policies) {
      if (!DesiredStateCompiler.selects(chunks, key)) {
        continue;
      }
      for (PolicyEndpoint pe : chunks) {
        Map<String, String> ann = pe.getMetadata().getAnnotations();
        String seen = ann == null ? null : ann.get(PolicyEndpoint.CHANGE_SEEN_AT);
        if (seen == null || !latencySeen.add(key + "|" + pe.getMetadata().getUid() + "|" + seen)) {
          continue;
        }
        try {
          double s = (System.currentTimeMillis() - Instant.parse(seen).toEpochMilli()) / 1000.0;
          if (s >= 0) {
            latency.observe(s);
            LOG.debug(
                "pod {}: policyendpoint {}/{} programmed {} s after the change",
                key,
                pe.getMetadata().getNamespace(),
                pe.getMetadata().getName(),
                s);
          }
        } catch (java.time.format.DateTimeParseException e) {
          LOG.warn(
              "policyendpoint {}/{}: annotation {} is not a timestamp: {}",
              pe.getMetadata().getNamespace(),
              pe.getMetadata().getName(),
              PolicyEndpoint.CHANGE_SEEN_AT,
              seen);
        }
      }
    }
  }

  /** Pods that are host-network, finished, or without an address are not enforced. */
  static List<InetAddress> enforceableAddresses(Pod pod) {
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
      for (PodIP ip : pod.getStatus().getPodIPs()) {
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
