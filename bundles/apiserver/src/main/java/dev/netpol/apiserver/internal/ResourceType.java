package dev.netpol.apiserver.internal;

import java.util.List;

/** One served resource: where it lives in the URL space and how it behaves. */
public record ResourceType(
    String group,
    String version,
    String kind,
    String plural,
    String singular,
    boolean namespaced,
    boolean hasStatus,
    List<String> shortNames) {

  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** Version-independent identity used as the storage key. */
  public String storageKey() {
    return group + "/" + plural;
  }

  /** "pods" or "networkpolicies.networking.k8s.io", as in error messages. */
  public String qualifiedResource() {
    return group.isEmpty() ? plural : plural + "." + group;
  }

  /** "Pod" or "NetworkPolicy.networking.k8s.io", as in Invalid messages. */
  public String qualifiedKind() {
    return group.isEmpty() ? kind : kind + "." + group;
  }

  public String listKind() {
    return kind + "List";
  }

  public ResourceType withVersion(String v) {
    return new ResourceType(group, v, kind, plural, singular, namespaced, hasStatus, shortNames);
  }
}
