package dev.netpol.resolver;

/** What {@link PolicyResolver} makes of one NetworkPolicy: a result or an error, never both. */
public sealed interface Resolution permits ResolvedPolicy, ResolutionError {
  PolicyKey policy();
}
