package dev.netpol.itests.conformance;

/** Names shared by the suite's objects. */
final class ConformanceNames {
  /** Upstream's namespace label for the (immutable) namespace name. */
  static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  /** Marks the NetworkPolicies the suite made, so one call deletes them all. */
  static final String MANAGED_LABEL = "conformance.netpol.dev/managed";

  private ConformanceNames() {}
}
