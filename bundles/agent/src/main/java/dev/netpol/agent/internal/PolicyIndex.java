package dev.netpol.agent.internal;

import dev.netpol.agent.internal.PolicySet.PolicyId;
import dev.netpol.api.PodKey;
import dev.netpol.policyendpoint.ChunkSet;
import dev.netpol.policyendpoint.PolicyEndpoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's PolicyEndpoints per policy, fed one informer event at a time, with the policy set
 * each pod is enforced with.
 *
 * <p>The controller writes a policy's chunks one by one under names that stay the same from one
 * generation to the next, so between two writes the agent can hold a mix of old and new chunks. The
 * index keeps the <em>last complete</em> chunk set of each policy ({@link PolicySet}) until a newer
 * generation is complete, and forgets a policy only when none of its chunks is held any more (the
 * policy was deleted, or no longer selects a pod on this node). A pod selected by a policy in the
 * middle of an update keeps being enforced by the previous complete version.
 *
 * <p>A policy whose chunks are held but that was never complete here (an agent started while the
 * controller was half-way through an update) has no known version: its namespace is <em>on
 * hold</em> ({@link #holdIn}) and pods there that already have kernel state keep it, because the
 * kernel may be enforcing the version the agent cannot see.
 *
 * <p>Work is per event and per policy, never per pod: a pod's policies are looked up in an index.
 */
final class PolicyIndex {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyIndex.class);

  /** What an event changed: pods whose policies changed, namespaces whose hold changed. */
  record Changes(Set<PodKey> pods, Set<String> namespaces) {
    static final Changes NONE = new Changes(Set.of(), Set.of());

    boolean isEmpty() {
      return pods.isEmpty() && namespaces.isEmpty();
    }
  }

  private final String node;
  private final Map<PolicyId, Map<String, PolicyEndpoint>> held = new HashMap<>();
  private final Map<PolicyId, PolicySet> current = new HashMap<>();
  private final Map<PodKey, Set<PolicyId>> byPod = new HashMap<>();
  private final Map<String, Set<PolicyId>> unknownByNamespace = new HashMap<>();
  private int heldCount;
  private long setsBuilt;

  PolicyIndex(String node) {
    this.node = node;
  }

  /** A PolicyEndpoint was added or changed. */
  synchronized Changes put(PolicyEndpoint pe) {
    PolicyId id = PolicyId.of(pe);
    if (id == null) {
      return Changes.NONE; // no policyRef: not a chunk of any policy
    }
    PolicyEndpoint before =
        held.computeIfAbsent(id, k -> new HashMap<>()).put(pe.getMetadata().getName(), pe);
    if (before == null) {
      heldCount++;
    }
    return recompute(id);
  }

  /** A PolicyEndpoint was deleted, or lost this node's label. */
  synchronized Changes remove(PolicyEndpoint pe) {
    PolicyId id = PolicyId.of(pe);
    if (id == null) {
      return Changes.NONE;
    }
    Map<String, PolicyEndpoint> chunks = held.get(id);
    if (chunks == null || chunks.remove(pe.getMetadata().getName()) == null) {
      return Changes.NONE;
    }
    heldCount--;
    if (chunks.isEmpty()) {
      held.remove(id);
    }
    return recompute(id);
  }

  /** An update: a changed policyRef moves the object from one policy to another. */
  synchronized Changes replace(PolicyEndpoint before, PolicyEndpoint after) {
    if (!Objects.equals(PolicyId.of(before), PolicyId.of(after))) {
      Changes a = remove(before);
      Changes b = put(after);
      return merge(a, b);
    }
    return put(after);
  }

  /** Forgets everything (the informers were replaced; the new ones replay their contents). */
  synchronized void clear() {
    held.clear();
    current.clear();
    byPod.clear();
    unknownByNamespace.clear();
    heldCount = 0;
  }

  /** The complete policy sets that select {@code pod}, in policy order. */
  synchronized List<PolicySet> policiesOf(PodKey pod) {
    Set<PolicyId> ids = byPod.get(pod);
    if (ids == null) {
      return List.of();
    }
    List<PolicySet> out = new ArrayList<>(ids.size());
    new TreeSet<>(ids).forEach(id -> out.add(current.get(id)));
    return out;
  }

  /** A policy of this namespace with chunks held but no complete version known, if any. */
  synchronized Optional<String> holdIn(String namespace) {
    Set<PolicyId> ids = unknownByNamespace.get(namespace);
    if (ids == null || ids.isEmpty()) {
      return Optional.empty();
    }
    PolicyId id = new TreeSet<>(ids).first();
    Map<String, PolicyEndpoint> chunks = held.get(id);
    return Optional.of(
        "waiting for a complete PolicyEndpoint set of "
            + id
            + " (holding "
            + (chunks == null ? 0 : chunks.size())
            + " chunks of no complete generation)");
  }

  /** Complete sets parsed since start: once per policy generation, never per pod. */
  synchronized long setsBuilt() {
    return setsBuilt;
  }

  /** PolicyEndpoint objects held. */
  synchronized int heldCount() {
    return heldCount;
  }

  /** Names and resource versions of the held objects ({@code namespace/name}), for sync checks. */
  synchronized Map<String, String> heldVersions() {
    Map<String, String> out = new HashMap<>();
    for (Map<String, PolicyEndpoint> chunks : held.values()) {
      for (PolicyEndpoint pe : chunks.values()) {
        out.put(
            pe.getMetadata().getNamespace() + "/" + pe.getMetadata().getName(),
            String.valueOf(pe.getMetadata().getResourceVersion()));
      }
    }
    return out;
  }

  /** Every PolicyEndpoint held, as last seen. */
  synchronized List<PolicyEndpoint> heldObjects() {
    List<PolicyEndpoint> out = new ArrayList<>(heldCount);
    held.values().forEach(m -> out.addAll(m.values()));
    return out;
  }

  /** Every complete policy set, in policy order (status). */
  synchronized List<PolicySet> policies() {
    return current.values().stream().sorted(java.util.Comparator.comparing(PolicySet::id)).toList();
  }

  private Changes recompute(PolicyId id) {
    Map<String, PolicyEndpoint> chunks = held.get(id);
    PolicySet old = current.get(id);
    PolicySet next = old;
    if (chunks == null) {
      next = null; // nothing of it is held any more: deleted, or not on this node now
    } else {
      Optional<List<PolicyEndpoint>> complete = complete(chunks.values());
      if (complete.isPresent()) {
        String gen = ChunkSet.generation(complete.get());
        if (old == null || !old.generation().equals(gen)) {
          next = PolicySet.of(id, complete.get(), node);
          setsBuilt++;
        }
      }
      // incomplete: keep the previous complete set (or none) until a newer one is complete
    }
    boolean wasUnknown = isUnknown(id);
    if (next == null) {
      current.remove(id);
    } else {
      current.put(id, next);
    }
    boolean nowUnknown = chunks != null && next == null;
    Set<String> namespaces = Set.of();
    if (nowUnknown != wasUnknown) {
      if (nowUnknown) {
        unknownByNamespace.computeIfAbsent(id.namespace(), k -> new HashSet<>()).add(id);
        LOG.info("policy {}: chunks held but no complete set yet; its namespace waits", id);
      } else {
        Set<PolicyId> s = unknownByNamespace.get(id.namespace());
        s.remove(id);
        if (s.isEmpty()) {
          unknownByNamespace.remove(id.namespace());
        }
      }
      namespaces = Set.of(id.namespace());
    }
    if (next == old) {
      return new Changes(Set.of(), namespaces);
    }
    Set<PodKey> pods = new HashSet<>();
    if (old != null) {
      for (PodKey p : old.localPods()) {
        Set<PolicyId> ids = byPod.get(p);
        if (ids != null && ids.remove(id) && ids.isEmpty()) {
          byPod.remove(p);
        }
        pods.add(p);
      }
    }
    if (next != null) {
      for (PodKey p : next.localPods()) {
        byPod.computeIfAbsent(p, k -> new HashSet<>()).add(id);
        pods.add(p);
      }
    }
    if (next == null) {
      LOG.info("policy {}: no chunk held any more; forgotten on this node", id);
    } else {
      LOG.debug(
          "policy {}: generation {} complete ({} chunks, {} local pods)",
          id,
          next.generation(),
          next.chunks().size(),
          next.localPods().size());
    }
    return new Changes(pods, namespaces);
  }

  private boolean isUnknown(PolicyId id) {
    Set<PolicyId> s = unknownByNamespace.get(id.namespace());
    return s != null && s.contains(id);
  }

  private static Optional<List<PolicyEndpoint>> complete(Collection<PolicyEndpoint> chunks) {
    return ChunkSet.complete(chunks);
  }

  private static Changes merge(Changes a, Changes b) {
    Set<PodKey> pods = new HashSet<>(a.pods());
    pods.addAll(b.pods());
    Set<String> ns = new HashSet<>(a.namespaces());
    ns.addAll(b.namespaces());
    return new Changes(pods, ns);
  }
}
