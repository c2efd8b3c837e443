package dev.netpol.resolver.internal;

import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.policyendpoint.PolicyEndpointStatus;
import dev.netpol.resolver.PlannedChanges;
import dev.netpol.resolver.PolicyEndpointPlanner;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies planned changes through the API: creates and updates first (so agents see the new
 * generation complete as early as possible), deletes last, then the Resolved condition on every
 * remaining chunk whose condition differs.
 *
 * <p>A 409 Conflict is expected, not an error: the informer cache the plan was made from can lag
 * behind the API (our own previous write, an agent's condition on the status, another controller
 * that just lost the lease). The writer then reads the object, and writes again only if it still
 * differs, on top of what it read (other conditions in the status are kept). Conflicts are logged
 * at debug; a write that keeps failing, or fails for another reason, throws a {@link
 * WriteException} naming the object.
 */
public final class PolicyEndpointWriter {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyEndpointWriter.class);
  private static final int ATTEMPTS = 5;

  /** A write that did not succeed; the message names the object and the operation. */
  public static final class WriteException extends RuntimeException {
    WriteException(String op, PolicyEndpoint pe, KubernetesClientException cause) {
      super(
          "PolicyEndpoint "
              + pe.getMetadata().getNamespace()
              + "/"
              + pe.getMetadata().getName()
              + ": "
              + op
              + " failed: "
              + (cause.getCode() > 0 ? cause.getCode() + " " : "")
              + reason(cause),
          cause);
    }

    private static String reason(KubernetesClientException e) {
      if (e.getStatus() != null && e.getStatus().getMessage() != null) {
        return e.getStatus().getMessage();
      }
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      return root == e ? String.valueOf(e.getMessage()) : root.toString();
    }
  }

  /** Told about every write (a write-through to the caller's cache). */
  public interface Store {
    /** A create, update or status write of this object is about to be sent. */
    default void writing(PolicyEndpoint pe) {}

    /** The write returned this object. */
    void stored(PolicyEndpoint pe);

    /** The write did not succeed. */
    default void failed(PolicyEndpoint pe) {}

    /** A delete is about to be sent. */
    void deleted(PolicyEndpoint pe);
  }

  private final KubernetesClient client;
  private final Store stored;
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong conflicts = new AtomicLong();

  /**
   * @param stored told about every object the API returned from a write, so the next plan starts
   *     from it even before the informer delivers it
   */
  public PolicyEndpointWriter(KubernetesClient client, Store stored) {
    this.client = client;
    this.stored = stored;
  }

  /** Successful writes (create, update, delete, status) since start. */
  public long writes() {
    return writes.get();
  }

  /** Conflicts met (and resolved by reading and writing again, or by finding nothing to do). */
  public long conflicts() {
    return conflicts.get();
  }

  /** Returns the objects now stored (created, updated, unchanged), for the status step. */
  public List<PolicyEndpoint> apply(PlannedChanges changes, Instant changeSeen) {
    List<PolicyEndpoint> out = new ArrayList<>(changes.unchanged());
    String seen = Rfc3339.nanos(changeSeen);
    for (PolicyEndpoint pe : changes.create()) {
      annotate(pe, seen);
      out.add(write("create", pe));
    }
    for (PolicyEndpoint pe : changes.update()) {
      annotate(pe, seen);
      out.add(write("update", pe));
    }
    for (PolicyEndpoint pe : changes.delete()) {
      try {
        stored.deleted(pe);
        api(pe).delete();
        writes.incrementAndGet();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw new WriteException("delete", pe, e);
        }
      }
    }
    return out;
  }

  /** Creates or updates {@code want}; on a conflict, converges from a fresh read. */
  private PolicyEndpoint write(String op, PolicyEndpoint want) {
    stored.writing(want);
    try {
      return attempt(op, want);
    } catch (RuntimeException e) {
      stored.failed(want);
      throw e;
    }
  }

  private PolicyEndpoint attempt(String op, PolicyEndpoint want) {
    KubernetesClientException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        PolicyEndpoint result;
        if (attempt == 0 && op.equals("create")) {
          result = api(want).create();
        } else if (attempt == 0) {
          result = api(want).update();
        } else {
          PolicyEndpoint fresh = get(want);
          if (fresh == null) {
            want.getMetadata().setResourceVersion(null);
            result = api(want).create();
          } else if (PolicyEndpointPlanner.sameContent(want, fresh)) {
            stored.stored(fresh);
            return fresh; // someone (our earlier self) already wrote it
          } else {
            want.getMetadata().setResourceVersion(fresh.getMetadata().getResourceVersion());
            result = api(want).update();
          }
        }
        writes.incrementAndGet();
        stored.stored(result);
        return result;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw new WriteException(op, want, e);
        }
        conflicts.incrementAndGet();
        last = e;
        LOG.debug(
            "PolicyEndpoint {}/{}: conflict on {}; reading it and writing again",
            want.getMetadata().getNamespace(),
            want.getMetadata().getName(),
            op);
      }
    }
    throw new WriteException(op + " (kept conflicting)", want, last);
  }

  /**
   * Sets the Resolved condition where it differs; keeps lastTransitionTime if status is the same,
   * and every other condition (agents write their own).
   */
  public void setResolved(
      List<PolicyEndpoint> stored, boolean resolved, String reason, String message, Instant now) {
    for (PolicyEndpoint pe : stored) {
      PolicyEndpoint current = pe;
      KubernetesClientException last = null;
      for (int attempt = 0; attempt < ATTEMPTS && current != null; attempt++) {
        PolicyEndpointStatus want = desiredStatus(current, resolved, reason, message, now);
        if (want == null) {
          last = null;
          break; // already as wanted
        }
        current.setStatus(want);
        this.stored.writing(current);
        try {
          PolicyEndpoint result = api(current).updateStatus();
          writes.incrementAndGet();
          this.stored.stored(result);
          last = null;
          break;
        } catch (KubernetesClientException e) {
          this.stored.failed(current);
          if (e.getCode() == 404) {
            last = null;
            break; // deleted meanwhile: its policy is reconciled again
          }
          if (e.getCode() != 409) {
            throw new WriteException("status update", current, e);
          }
          conflicts.incrementAndGet();
          last = e;
          LOG.debug(
              "PolicyEndpoint {}/{}: conflict on status update; reading it and writing again",
              pe.getMetadata().getNamespace(),
              pe.getMetadata().getName());
          current = get(pe);
          if (current == null) {
            last = null; // deleted meanwhile
          }
        }
      }
      if (last != null) {
        throw new WriteException("status update (kept conflicting)", pe, last);
      }
    }
  }

  /** The status {@code pe} should have, or null if it has it already. */
  private static PolicyEndpointStatus desiredStatus(
      PolicyEndpoint pe, boolean resolved, String reason, String message, Instant now) {
    Condition old = condition(pe);
    String status = resolved ? "True" : "False";
    var spec = pe.getSpec();
    Integer pods =
        spec == null
                || spec.getPodSelectorEndpoints() == null
                || spec.getPodSelectorEndpoints().isEmpty()
            ? null
            : spec.getPodSelectorEndpoints().size();
    Integer in = spec == null || spec.getIngress() == null ? null : spec.getIngress().size();
    Integer eg = spec == null || spec.getEgress() == null ? null : spec.getEgress().size();
    PolicyEndpointStatus current = pe.getStatus();
    boolean sameCounts =
        current != null
            && Objects.equals(pods, current.getSelectedPods())
            && Objects.equals(in, current.getIngressEntries())
            && Objects.equals(eg, current.getEgressEntries());
    if (old != null
        && status.equals(old.getStatus())
        && Objects.equals(reason, old.getReason())
        && Objects.equals(message, old.getMessage())
        && sameCounts) {
      return null;
    }
    String since =
        old != null && status.equals(old.getStatus()) && old.getLastTransitionTime() != null
            ? old.getLastTransitionTime()
            : Rfc3339.seconds(now);
    Condition c =
        new ConditionBuilder()
            .withType(PolicyEndpoint.RESOLVED)
            .withStatus(status)
            .withReason(reason)
            .withMessage(message)
            .withLastTransitionTime(since)
            .build();
    PolicyEndpointStatus st = new PolicyEndpointStatus();
    List<Condition> conditions = new ArrayList<>();
    if (current != null && current.getConditions() != null) {
      current.getConditions().stream()
          .filter(x -> !PolicyEndpoint.RESOLVED.equals(x.getType()))
          .forEach(conditions::add);
    }
    conditions.add(c);
    st.setConditions(conditions);
    st.setSelectedPods(pods);
    st.setIngressEntries(in);
    st.setEgressEntries(eg);
    return st;
  }

  static Condition condition(PolicyEndpoint pe) {
    if (pe.getStatus() == null || pe.getStatus().getConditions() == null) {
      return null;
    }
    return pe.getStatus().getConditions().stream()
        .filter(c -> PolicyEndpoint.RESOLVED.equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  private PolicyEndpoint get(PolicyEndpoint pe) {
    try {
      return client
          .resources(PolicyEndpoint.class)
          .inNamespace(pe.getMetadata().getNamespace())
          .withName(pe.getMetadata().getName())
          .get();
    } catch (KubernetesClientException e) {
      throw new WriteException("read after a conflict", pe, e);
    }
  }

  private static void annotate(PolicyEndpoint pe, String seen) {
    Map<String, String> a =
        pe.getMetadata().getAnnotations() == null
            ? new HashMap<>()
            : new HashMap<>(pe.getMetadata().getAnnotations());
    a.put(PolicyEndpoint.CHANGE_SEEN_AT, seen);
    pe.getMetadata().setAnnotations(a);
  }

  private io.fabric8.kubernetes.client.dsl.Resource<PolicyEndpoint> api(PolicyEndpoint pe) {
    return client
        .resources(PolicyEndpoint.class)
        .inNamespace(pe.getMetadata().getNamespace())
        .resource(pe);
  }
}
