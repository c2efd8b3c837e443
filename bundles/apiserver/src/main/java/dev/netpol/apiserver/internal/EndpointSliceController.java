package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps discovery.k8s.io/v1 EndpointSlices for every Service with a selector: one slice per address
 * family and resolved port set, listing the selected Running pods that have IPs. Ready follows the
 * pod's Ready condition, or Running when the pod has no conditions.
 */
final class EndpointSliceController {
  private static final Logger LOG = LoggerFactory.getLogger(EndpointSliceController.class);
  static final String SERVICE_LABEL = "kubernetes.io/service-name";
  static final String MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
  static final String CONTROLLER = "endpointslice-controller.k8s.io";

  private final ResourceService service;

  EndpointSliceController(ResourceService service) {
    this.service = service;
  }

  void onEvent(StoreEvent e) {
    String key = e.storageKey();
    if (key.equals(ResourceRegistry.PODS.storageKey())
        || key.equals(ResourceRegistry.SERVICES.storageKey())) {
      reconcile(Json.namespace(e.object()));
    }
  }

  void reconcileAll() {
    for (ObjectNode ns : service.store().list(ResourceRegistry.NAMESPACES, null)) {
      reconcile(Json.name(ns));
    }
  }

  void reconcile(String ns) {
    if (ns == null || service.store().get(ResourceRegistry.NAMESPACES, null, ns) == null) {
      return;
    }
    List<ObjectNode> pods = service.store().list(ResourceRegistry.PODS, ns);
    List<ObjectNode> existing = new ArrayList<>();
    for (ObjectNode s : service.store().list(ResourceRegistry.ENDPOINT_SLICES, ns)) {
      if (CONTROLLER.equals(Json.labels(s).get(MANAGED_BY))) {
        existing.add(s);
      }
    }
    Set<String> keep = new HashSet<>();
    for (ObjectNode svc : service.store().list(ResourceRegistry.SERVICES, ns)) {
      Map<String, String> selector = Json.stringMap(svc.path("spec").path("selector"));
      if (selector.isEmpty() || svc.path("metadata").has("deletionTimestamp")) {
        continue;
      }
      for (ObjectNode want : desired(svc, selector, pods)) {
        keep.add(apply(svc, want, existing));
      }
    }
    for (ObjectNode s : existing) {
      if (!keep.contains(Json.name(s))) {
        LOG.info("endpointslice {}/{} no longer needed", ns, Json.name(s));
        service.deleteQuietly(ResourceRegistry.ENDPOINT_SLICES, ns, Json.name(s));
      }
    }
  }

  /** Creates or updates the slice for want; returns its name. */
  private String apply(ObjectNode svc, ObjectNode want, List<ObjectNode> existing) {
    String svcName = Json.name(svc);
    for (ObjectNode s : existing) {
      if (svcName.equals(Json.labels(s).get(SERVICE_LABEL))
          && want.path("addressType").equals(s.path("addressType"))
          && want.path("ports").equals(s.path("ports"))) {
        if (!want.path("endpoints").equals(s.path("endpoints"))) {
          ObjectNode next = s.deepCopy();
          next.set("endpoints", want.get("endpoints"));
          service.update(
              ResourceRegistry.ENDPOINT_SLICES,
              Json.namespace(s),
              Json.name(s),
              next,
              false,
              false);
        }
        existing.remove(s);
        return Json.name(s);
      }
    }
    for (ObjectNode s : existing) {
      // same service and family but other ports: reuse the slice rather than churn names
      if (svcName.equals(Json.labels(s).get(SERVICE_LABEL))
          && want.path("addressType").equals(s.path("addressType"))) {
        ObjectNode next = s.deepCopy();
        next.set("endpoints", want.get("endpoints"));
        next.set("ports", want.get("ports"));
        service.update(
            ResourceRegistry.ENDPOINT_SLICES, Json.namespace(s), Json.name(s), next, false, false);
        existing.remove(s);
        return Json.name(s);
      }
    }
    ObjectNode meta = Json.meta(want);
    meta.put("generateName", svcName + "-");
    meta.putObject("labels").put(SERVICE_LABEL, svcName).put(MANAGED_BY, CONTROLLER);
    meta.putArray("ownerReferences")
        .addObject()
        .put("apiVersion", "v1")
        .put("kind", "Service")
        .put("name", svcName)
        .put("uid", Json.text(svc, "metadata", "uid"))
        .put("controller", true)
        .put("blockOwnerDeletion", true);
    ObjectNode created =
        service.create(ResourceRegistry.ENDPOINT_SLICES, Json.namespace(svc), want, false).object();
    return Json.name(created);
  }

  private List<ObjectNode> desired(
      ObjectNode svc, Map<String, String> selector, List<ObjectNode> pods) {
    List<String> families = new ArrayList<>();
    svc.path("spec").path("ipFamilies").forEach(f -> families.add(f.asText()));
    if (families.isEmpty()) {
      families.add("IPv4");
    }
    Map<String, ObjectNode> byKey = new LinkedHashMap<>();
    List<ObjectNode> sorted = new ArrayList<>(pods);
    sorted.sort(Comparator.comparing(Json::name));
    for (ObjectNode pod : sorted) {
      if (!matches(selector, Json.labels(pod))
          || !"Running".equals(Json.text(pod, "status", "phase"))
          || pod.path("metadata").has("deletionTimestamp")) {
        continue;
      }
      ArrayNode ports = ports(svc, pod);
      for (String ip : podIps(pod)) {
        String family = ip.contains(":") ? "IPv6" : "IPv4";
        if (!families.contains(family)) {
          continue;
        }
        ObjectNode slice = byKey.computeIfAbsent(family + ports, k -> slice(family, ports));
        ObjectNode ep = ((ArrayNode) slice.get("endpoints")).addObject();
        ep.putArray("addresses").add(ip);
        boolean ready = ready(pod);
        ep.putObject("conditions")
            .put("ready", ready)
            .put("serving", ready)
            .put("terminating", false);
        ep.putObject("targetRef")
            .put("kind", "Pod")
            .put("namespace", Json.namespace(pod))
            .put("name", Json.name(pod))
            .put("uid", Json.text(pod, "metadata", "uid"));
        String node = Json.text(pod, "spec", "nodeName");
        if (node != null) {
          ep.put("nodeName", node);
        }
      }
    }
    for (String family : families) {
      boolean any = byKey.keySet().stream().anyMatch(k -> k.startsWith(family));
      if (!any) {
        byKey.put(family, slice(family, ports(svc, null)));
      }
    }
    return new ArrayList<>(byKey.values());
  }

  private static ObjectNode slice(String family, ArrayNode ports) {
    ObjectNode s =
        Json.object().put("apiVersion", "discovery.k8s.io/v1").put("kind", "EndpointSlice");
    s.putObject("metadata");
    s.put("addressType", family);
    s.putArray("endpoints");
    s.set("ports", ports.deepCopy());
    return s;
  }

  /**
   * The service's ports with targetPorts resolved for pod (named ports via its container ports).
   */
  private static ArrayNode ports(ObjectNode svc, ObjectNode pod) {
    ArrayNode out = Json.array();
    for (JsonNode p : svc.path("spec").path("ports")) {
      String protocol = p.path("protocol").asText("TCP");
      JsonNode target = p.has("targetPort") ? p.get("targetPort") : p.get("port");
      Integer port = null;
      if (target != null && target.isNumber()) {
        port = target.asInt();
      } else if (target != null && pod != null) {
        port = namedPort(pod, target.asText(), protocol);
      } else if (target != null && target.asText().matches("\\d+")) {
        port = Integer.parseInt(target.asText());
      }
      if (port == null && pod != null) {
        continue;
      }
      ObjectNode o = out.addObject().put("name", p.path("name").asText(""));
      if (port != null) {
        o.put("port", port);
      }
      o.put("protocol", protocol);
    }
    return out;
  }

  private static Integer namedPort(ObjectNode pod, String name, String protocol) {
    if (name.matches("\\d+")) {
      return Integer.parseInt(name);
    }
    for (JsonNode c : pod.path("spec").path("containers")) {
      for (JsonNode cp : c.path("ports")) {
        if (name.equals(Json.text(cp, "name"))
            && protocol.equals(cp.path("protocol").asText("TCP"))) {
          return cp.path("containerPort").asInt();
        }
      }
    }
    return null;
  }

  private static List<String> podIps(ObjectNode pod) {
    List<String> ips = new ArrayList<>();
    pod.path("status")
        .path("podIPs")
        .forEach(
            ip -> {
              String v = Json.text(ip, "ip");
              if (v != null && !ips.contains(v)) {
                ips.add(v);
              }
            });
    String single = Json.text(pod, "status", "podIP");
    if (single != null && !single.isEmpty() && !ips.contains(single)) {
      ips.add(single);
    }
    return ips;
  }

  private static boolean ready(ObjectNode pod) {
    for (JsonNode c : pod.path("status").path("conditions")) {
      if ("Ready".equals(Json.text(c, "type"))) {
        return "True".equals(Json.text(c, "status"));
      }
    }
    return true;
  }

  private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    for (var e : selector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
