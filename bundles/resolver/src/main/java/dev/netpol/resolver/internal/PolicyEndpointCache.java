package dev.netpol.resolver.internal;

import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.policyendpoint.PolicyRef;
import dev.netpol.resolver.PolicyKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The PolicyEndpoints of each policy, fed by the informer and by the controller's own writes (a
 * write-through: the next plan of a policy starts from what the API returned, even before the
 * informer delivers it). Tells informer events that only echo our own writes apart from real
 * changes (an edit, a delete by someone else, an agent's condition), so that our writes do not make
 * every policy reconcile twice.
 */
public final class PolicyEndpointCache implements PolicyEndpointWriter.Store {
  private final Map<PolicyKey, Map<String, PolicyEndpoint>> byPolicy = new ConcurrentHashMap<>();
  private static final String NO_EVENT = "";
  private final Map<String, String> ownVersions = new ConcurrentHashMap<>();
  private final Set<String> ownDeletes = ConcurrentHashMap.newKeySet();

  /**
   * Objects with a write under way, with the resourceVersion of an event seen meanwhile: the echo
   * of a write can arrive before the write returns.
   */
  private final Map<String, String> inFlight = new ConcurrentHashMap<>();

  private final java.util.function.Consumer<PolicyKey> remark;

  /** {@code remark}: called for a policy whose object someone else changed during our write. */
  public PolicyEndpointCache(java.util.function.Consumer<PolicyKey> remark) {
    this.remark = remark;
  }

  public PolicyEndpointCache() {
    this(k -> {});
  }

  /** An informer event (old null: added; now null: deleted); returns the policies to reconcile. */
  public List<PolicyKey> observed(PolicyEndpoint old, PolicyEndpoint now) {
    List<PolicyKey> out = new ArrayList<>(2);
    if (now == null) {
      PolicyKey key = policyOf(old);
      String name = name(old);
      if (key != null) {
        Map<String, PolicyEndpoint> m = byPolicy.get(key);
        if (m != null) {
          m.remove(name);
          if (m.isEmpty()) {
            byPolicy.remove(key, m);
          }
        }
        if (!ownDeletes.remove(name)) {
          out.add(key);
        }
      }
      ownVersions.remove(name);
      return out;
    }
    PolicyKey key = policyOf(now);
    String name = name(now);
    PolicyKey before = old == null ? null : policyOf(old);
    if (before != null && !before.equals(key)) {
      Map<String, PolicyEndpoint> m = byPolicy.get(before);
      if (m != null) {
        m.remove(name);
      }
      out.add(before);
    }
    if (key == null) {
      return out; // not a chunk of any policy
    }
    byPolicy
        .computeIfAbsent(key, k -> new ConcurrentHashMap<>())
        .merge(name, now, (held, event) -> newer(event, held) ? event : held);
    String rv = String.valueOf(now.getMetadata().getResourceVersion());
    if (inFlight.computeIfPresent(name, (k, v) -> rv) != null) {
      return out; // decided when the write returns: our echo, or someone else's change
    }
    String own = ownVersions.get(name);
    if (own == null || after(rv, own)) {
      out.add(key); // not the echo of one of our writes (which can come late, and out of order)
    }
    return out;
  }

  /** Whether resourceVersion {@code a} is later than {@code b} (if not numbers: different). */
  static boolean after(String a, String b) {
    try {
      return Long.parseLong(a) > Long.parseLong(b);
    } catch (NumberFormatException | NullPointerException e) {
      return !Objects.equals(a, b);
    }
  }

  @Override
  public void writing(PolicyEndpoint pe) {
    inFlight.put(name(pe), NO_EVENT);
  }

  @Override
  public void failed(PolicyEndpoint pe) {
    inFlight.remove(name(pe)); // the reconcile is retried
  }

  @Override
  public void stored(PolicyEndpoint pe) {
    PolicyKey key = policyOf(pe);
    if (key == null) {
      return;
    }
    String rv = String.valueOf(pe.getMetadata().getResourceVersion());
    ownVersions.put(name(pe), rv);
    String seen = inFlight.remove(name(pe));
    if (seen != null && !seen.equals(NO_EVENT) && after(seen, rv)) {
      remark.accept(key); // an event after our write: someone else changed it
    }
    byPolicy
        .computeIfAbsent(key, k -> new ConcurrentHashMap<>())
        .merge(name(pe), pe, (held, written) -> newer(written, held) ? written : held);
  }

  @Override
  public void deleted(PolicyEndpoint pe) {
    PolicyKey key = policyOf(pe);
    ownDeletes.add(name(pe));
    if (key != null) {
      Map<String, PolicyEndpoint> m = byPolicy.get(key);
      if (m != null) {
        m.remove(name(pe));
      }
    }
  }

  /** The PolicyEndpoints held for a policy. */
  public List<PolicyEndpoint> of(PolicyKey key) {
    Map<String, PolicyEndpoint> m = byPolicy.get(key);
    return m == null ? List.of() : List.copyOf(m.values());
  }

  /** Policies with at least one PolicyEndpoint held. */
  public Set<PolicyKey> policies() {
    return byPolicy.keySet();
  }

  static PolicyKey policyOf(PolicyEndpoint pe) {
    PolicyRef ref = pe.getSpec() == null ? null : pe.getSpec().getPolicyRef();
    if (ref == null || ref.getName() == null) {
      return null;
    }
    String ns = ref.getNamespace() != null ? ref.getNamespace() : pe.getMetadata().getNamespace();
    return new PolicyKey(ns, ref.getName());
  }

  private static String name(PolicyEndpoint pe) {
    return pe.getMetadata().getNamespace() + "/" + pe.getMetadata().getName();
  }

  /**
   * Whether {@code a} is at least as new as {@code b}. Resource versions are opaque to clients, but
   * every API server in use (etcd's revision, the embedded one) counts upwards; when they do not
   * parse as numbers the incoming one wins.
   */
  static boolean newer(PolicyEndpoint a, PolicyEndpoint b) {
    return newer(a.getMetadata().getResourceVersion(), b.getMetadata().getResourceVersion());
  }

  static boolean newer(String a, String b) {
    try {
      return Long.parseLong(a) >= Long.parseLong(b);
    } catch (NumberFormatException | NullPointerException e) {
      return true;
    }
  }
}
