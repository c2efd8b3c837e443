package dev.netpol.resolver;

import dev.netpol.api.model.ModelException;
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

  public Resolution resolve(ClusterState state, NetworkPolicy policy) {
    PolicyKey key = PolicyKey.of(policy);
    String uid = policy.getMetadata().getUid();
    ParsedPolicy parsed;
    try {
      parsed = PolicyParser.parse(policy);
    } catch (ModelException e) {
      String prefix = e.field() + ": ";
      String message =
          e.getMessage().startsWith(prefix)
              ? e.getMessage().substring(prefix.length())
              : e.getMessage();
      return new ResolutionError(key, uid, e.field(), message);
    }
    return new ResolutionEngine(state, parsed).resolve();
  }
}
