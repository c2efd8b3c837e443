package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** The built-in kinds plus the kinds made served by CustomResourceDefinitions. Thread-safe. */
public final class ResourceRegistry {
  public static final ResourceType NAMESPACES =
      new ResourceType(
          "", "v1", "Namespace", "namespaces", "namespace", false, true, List.of("ns"));
  public static final ResourceType PODS =
      new ResourceType("", "v1", "Pod", "pods", "pod", true, true, List.of("po"));
  public static final ResourceType SERVICES =
      new ResourceType("", "v1", "Service", "services", "service", true, true, List.of("svc"));
  public static final ResourceType ENDPOINTS =
      new ResourceType("", "v1", "Endpoints", "endpoints", "endpoints", true, false, List.of("ep"));
  public static final ResourceType CONFIGMAPS =
      new ResourceType(
          "", "v1", "ConfigMap", "configmaps", "configmap", true, false, List.of("cm"));
  public static final ResourceType NODES =
      new ResourceType("", "v1", "Node", "nodes", "node", false, true, List.of("no"));
  public static final ResourceType EVENTS =
      new ResourceType("", "v1", "Event", "events", "event", true, false, List.of("ev"));
  public static final ResourceType ENDPOINT_SLICES =
      new ResourceType(
          "discovery.k8s.io",
          "v1",
          "EndpointSlice",
          "endpointslices",
          "endpointslice",
          true,
          false,
          List.of());
  public static final ResourceType NETWORK_POLICIES =
      new ResourceType(
          "networking.k8s.io",
          "v1",
          "NetworkPolicy",
          "networkpolicies",
          "networkpolicy",
          true,
          false,
          List.of("netpol"));
  public static final ResourceType EVENTS_V1 =
      new ResourceType(
          "events.k8s.io", "v1", "Event", "events", "event", true, false, List.of("ev"));
  public static final ResourceType LEASES =
      new ResourceType(
          "coordination.k8s.io", "v1", "Lease", "leases", "lease", true, false, List.of());
  public static final ResourceType CRDS =
      new ResourceType(
          "apiextensions.k8s.io",
          "v1",
          "CustomResourceDefinition",
          "customresourcedefinitions",
          "customresourcedefinition",
          false,
          true,
          List.of("crd", "crds"));

  private static final List<ResourceType> BUILT_IN =
      List.of(
          NAMESPACES,
          PODS,
          SERVICES,
          ENDPOINTS,
          CONFIGMAPS,
          NODES,
          EVENTS,
          ENDPOINT_SLICES,
          NETWORK_POLICIES,
          EVENTS_V1,
          LEASES,
          CRDS);

  /** apiVersion + "/" + plural -> type. */
  private final Map<String, ResourceType> byPath = new LinkedHashMap<>();

  /** CRD name -> the types it serves. */
  private final Map<String, List<ResourceType>> byCrd = new LinkedHashMap<>();

  private final AtomicLong generation = new AtomicLong();

  public ResourceRegistry() {
    BUILT_IN.forEach(this::put);
  }

  private void put(ResourceType t) {
    byPath.put(t.apiVersion() + "/" + t.plural(), t);
  }

  public synchronized ResourceType find(String apiVersion, String plural) {
    return byPath.get(apiVersion + "/" + plural);
  }

  /** The type serving kind in apiVersion, or null. */
  public synchronized ResourceType findKind(String apiVersion, String kind) {
    for (ResourceType t : byPath.values()) {
      if (t.apiVersion().equals(apiVersion) && t.kind().equals(kind)) {
        return t;
      }
    }
    return null;
  }

  /** Some served version of the resource with this storage key. */
  public synchronized ResourceType byStorageKey(String storageKey) {
    for (ResourceType t : byPath.values()) {
      if (t.storageKey().equals(storageKey)) {
        return t;
      }
    }
    return null;
  }

  /** Whether t is one of the built-in kinds (not served by a CRD). */
  public boolean isBuiltIn(ResourceType t) {
    return BUILT_IN.contains(t);
  }

  public synchronized List<ResourceType> all() {
    return new ArrayList<>(byPath.values());
  }

  /** Group versions in serving order: "v1" first, then "group/version". */
  public synchronized Set<String> groupVersions() {
    Set<String> out = new LinkedHashSet<>();
    byPath.values().forEach(t -> out.add(t.apiVersion()));
    return out;
  }

  /** Bumped on every change, so discovery documents can carry a hash. */
  public long generation() {
    return generation.get();
  }

  /** Serves what an (established) CRD declares; replaces what it served before. */
  public synchronized void register(JsonNode crd) {
    unregister(Json.name(crd));
    String group = Json.text(crd, "spec", "group");
    String plural = Json.text(crd, "spec", "names", "plural");
    String kind = Json.text(crd, "spec", "names", "kind");
    String singular = Json.text(crd, "spec", "names", "singular");
    boolean namespaced = !"Cluster".equals(Json.text(crd, "spec", "scope"));
    List<String> shortNames = new ArrayList<>();
    JsonNode sn = Json.at(crd, "spec", "names", "shortNames");
    if (sn != null) {
      sn.forEach(s -> shortNames.add(s.asText()));
    }
    List<ResourceType> types = new ArrayList<>();
    JsonNode versions = Json.at(crd, "spec", "versions");
    if (versions != null) {
      for (JsonNode v : versions) {
        if (v.path("served").asBoolean(true)) {
          boolean status = v.path("subresources").has("status");
          types.add(
              new ResourceType(
                  group,
                  v.path("name").asText(),
                  kind,
                  plural,
                  singular == null ? kind.toLowerCase() : singular,
                  namespaced,
                  status,
                  List.copyOf(shortNames)));
        }
      }
    }
    types.forEach(this::put);
    byCrd.put(Json.name(crd), types);
    generation.incrementAndGet();
  }

  public synchronized List<ResourceType> unregister(String crdName) {
    List<ResourceType> old = byCrd.remove(crdName);
    if (old == null) {
      return List.of();
    }
    old.forEach(t -> byPath.remove(t.apiVersion() + "/" + t.plural()));
    generation.incrementAndGet();
    return old;
  }
}
