package dev.netpol.resolver;

import dev.netpol.api.model.ModelException;
import dev.netpol.resolver.internal.ClusterIndex;
import dev.netpol.resolver.internal.ParsedPolicy;
import dev.netpol.resolver.internal.PolicyParser;
import dev.netpol.resolver.internal.ResolutionEngine;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

/**
 * Resolves one NetworkPolicy against a cluster state into selected pods and allowed address blocks
 * with numeric ports. A pure function: no I/O, no shared state, safe from any thread. Invalid
 * policies give a {@link ResolutionError} naming the field; this never throws for bad policy
 * content.
 */
public final class PolicyResolver {

  /** Indexes {@code state} for this one call; the controller keeps an index up to date instead. */
  public Resolution resolve(ClusterState state, NetworkPolicy policy) {
    return resolve(ClusterIndex.of(state), policy);
  }

  /** Resolves against an index that may be reused for many policies. */
  public Resolution resolve(ClusterIndex index, NetworkPolicy policy) {
    ParsedPolicy parsed;
    try {
      parsed = PolicyParser.parse(policy);
    } catch (ModelException e) {
      return error(policy, e);
    }
    return new ResolutionEngine(index, parsed).resolve();
  }

  /** The error of a policy that does not parse. */
  public static ResolutionError error(NetworkPolicy policy, ModelException e) {
    String prefix = e.field() + ": ";
    String message =
        e.getMessage().startsWith(prefix)
            ? e.getMessage().substring(prefix.length())
            : e.getMessage();
    return new ResolutionError(
        PolicyKey.of(policy), policy.getMetadata().getUid(), e.field(), message);
  }
}
