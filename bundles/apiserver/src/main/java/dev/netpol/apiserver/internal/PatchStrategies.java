package dev.netpol.apiserver.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The strategic-merge patch strategies of the built-in kinds' lists, from the Kubernetes types'
 * {@code patchStrategy:"merge"} and {@code patchMergeKey} tags: dotted path (list items are
 * transparent, e.g. {@code spec.containers.ports}) to merge key, or "" for a list of scalars merged
 * as a set. Every other list is atomic: a patch replaces it.
 */
final class PatchStrategies {
  private static final Map<String, String> COMMON =
      Map.of("metadata.finalizers", "", "metadata.ownerReferences", "uid");

  private static final Map<String, Map<String, String>> BY_RESOURCE = new HashMap<>();

  static {
    Map<String, String> pod = new HashMap<>(COMMON);
    for (String c : List.of("containers", "initContainers", "ephemeralContainers")) {
      pod.put("spec." + c, "name");
      pod.put("spec." + c + ".ports", "containerPort");
      pod.put("spec." + c + ".env", "name");
      pod.put("spec." + c + ".volumeMounts", "mountPath");
      pod.put("spec." + c + ".volumeDevices", "devicePath");
    }
    pod.put("spec.volumes", "name");
    pod.put("spec.imagePullSecrets", "name");
    pod.put("spec.hostAliases", "ip");
    pod.put("spec.resourceClaims", "name");
    pod.put("spec.schedulingGates", "name");
    pod.put("spec.topologySpreadConstraints", "topologyKey");
    pod.put("status.conditions", "type");
    pod.put("status.podIPs", "ip");
    pod.put("status.hostIPs", "ip");
    BY_RESOURCE.put(ResourceRegistry.PODS.storageKey(), pod);

    Map<String, String> service = new HashMap<>(COMMON);
    service.put("spec.ports", "port");
    service.put("status.conditions", "type");
    BY_RESOURCE.put(ResourceRegistry.SERVICES.storageKey(), service);

    Map<String, String> node = new HashMap<>(COMMON);
    node.put("spec.podCIDRs", "");
    node.put("status.conditions", "type");
    node.put("status.addresses", "type");
    BY_RESOURCE.put(ResourceRegistry.NODES.storageKey(), node);

    Map<String, String> namespace = new HashMap<>(COMMON);
    namespace.put("status.conditions", "type");
    BY_RESOURCE.put(ResourceRegistry.NAMESPACES.storageKey(), namespace);
  }

  private PatchStrategies() {}

  /** Merge keys of type t; NetworkPolicy, EndpointSlice and most others have only metadata's. */
  static Map<String, String> of(ResourceType t) {
    return BY_RESOURCE.getOrDefault(t.storageKey(), COMMON);
  }
}
