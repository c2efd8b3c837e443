package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Service defaulting (type, ports, IP families) and cluster IP allocation; cluster IPs are
 * immutable.
 */
final class ServiceRules implements KindRules {
  private final ClusterIpAllocator allocator;

  ServiceRules(ClusterIpAllocator allocator) {
    this.allocator = allocator;
  }

  @Override
  public void applyDefaults(ObjectNode obj, ObjectNode old) {
    ObjectNode spec = Json.child(obj, "spec");
    if (!spec.hasNonNull("type")) {
      spec.put("type", "ClusterIP");
    }
    if (!spec.hasNonNull("sessionAffinity")) {
      spec.put("sessionAffinity", "None");
    }
    if (!spec.hasNonNull("internalTrafficPolicy")) {
      spec.put("internalTrafficPolicy", "Cluster");
    }
    for (JsonNode port : spec.path("ports")) {
      if (port instanceof ObjectNode p) {
        if (!p.hasNonNull("protocol")) {
          p.put("protocol", "TCP");
        }
        if (!p.hasNonNull("targetPort") && p.has("port")) {
          p.set("targetPort", p.get("port"));
        }
      }
    }
    if (old != null) {
      for (String f : List.of("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy")) {
        if (!spec.hasNonNull(f) && old.path("spec").has(f)) {
          spec.set(f, old.path("spec").get(f).deepCopy());
        }
      }
    }
    Json.child(Json.child(obj, "status"), "loadBalancer");
  }

  @Override
  public List<FieldError> validate(ObjectNode obj, ObjectNode old) {
    List<FieldError> errs = new ArrayList<>();
    ObjectNode spec = Json.child(obj, "spec");
    JsonNode ports = spec.path("ports");
    for (int i = 0; i < ports.size(); i++) {
      JsonNode p = ports.get(i);
      long port = p.path("port").asLong(0);
      if (port < 1 || port > 65535) {
        errs.add(
            FieldError.invalid(
                "spec.ports[" + i + "].port", port, "must be between 1 and 65535, inclusive"));
      }
      if (ports.size() > 1 && Json.text(p, "name") == null) {
        errs.add(FieldError.required("spec.ports[" + i + "].name", ""));
      }
      String protocol = Json.text(p, "protocol");
      if (!List.of("TCP", "UDP", "SCTP").contains(protocol)) {
        errs.add(
            FieldError.unsupported(
                "spec.ports[" + i + "].protocol", protocol, "SCTP", "TCP", "UDP"));
      }
    }
    if (!errs.isEmpty()) {
      return errs;
    }
    if (old != null) {
      JsonNode oldIps = old.path("spec").path("clusterIPs");
      if (!spec.path("clusterIPs").equals(oldIps)) {
        errs.add(
            FieldError.invalid(
                "spec.clusterIPs[0]",
                spec.path("clusterIPs").toString(),
                "may not change once set"));
      }
      return errs;
    }
    allocate(spec, errs);
    return errs;
  }

  /** Fills clusterIP, clusterIPs, ipFamilies and ipFamilyPolicy of a new Service. */
  private void allocate(ObjectNode spec, List<FieldError> errs) {
    String policy =
        spec.hasNonNull("ipFamilyPolicy") ? spec.get("ipFamilyPolicy").asText() : "SingleStack";
    if (!List.of("SingleStack", "PreferDualStack", "RequireDualStack").contains(policy)) {
      errs.add(
          FieldError.unsupported(
              "spec.ipFamilyPolicy", policy, "SingleStack", "PreferDualStack", "RequireDualStack"));
      return;
    }
    List<String> families = new ArrayList<>();
    spec.path("ipFamilies").forEach(f -> families.add(f.asText()));
    List<String> requested = new ArrayList<>();
    spec.path("clusterIPs").forEach(ip -> requested.add(ip.asText()));
    if (requested.isEmpty()
        && spec.hasNonNull("clusterIP")
        && !spec.get("clusterIP").asText().isEmpty()) {
      requested.add(spec.get("clusterIP").asText());
    }
    if (families.isEmpty()) {
      for (String ip : requested) {
        families.add(ip.contains(":") ? "IPv6" : "IPv4");
      }
      if (families.isEmpty() || families.contains("None")) {
        families.clear();
        families.add("IPv4");
      }
    }
    if (!policy.equals("SingleStack") && families.size() == 1) {
      families.add(families.get(0).equals("IPv4") ? "IPv6" : "IPv4");
    }
    if (policy.equals("SingleStack") && families.size() > 1) {
      errs.add(
          FieldError.invalid(
              "spec.ipFamilies",
              families.toString(),
              "when spec.ipFamilyPolicy is SingleStack, only one ipFamily is allowed"));
      return;
    }
    for (int i = 0; i < families.size(); i++) {
      if (!families.get(i).equals("IPv4") && !families.get(i).equals("IPv6")) {
        errs.add(
            FieldError.unsupported("spec.ipFamilies[" + i + "]", families.get(i), "IPv4", "IPv6"));
        return;
      }
    }
    ArrayNode ips = Json.array();
    boolean headless = requested.size() == 1 && requested.get(0).equals("None");
    if (headless) {
      ips.add("None");
    } else {
      for (int i = 0; i < families.size(); i++) {
        String family = families.get(i);
        if (i < requested.size()) {
          String why = allocator.reserve(family, requested.get(i));
          if (why != null) {
            errs.add(FieldError.invalid("spec.clusterIPs[" + i + "]", requested.get(i), why));
            return;
          }
          ips.add(requested.get(i));
        } else {
          String ip = allocator.allocate(family);
          if (ip == null) {
            errs.add(
                FieldError.invalid(
                    "spec.clusterIPs",
                    "",
                    "no free " + family + " address in " + ClusterIpAllocator.range(family)));
            return;
          }
          ips.add(ip);
        }
      }
    }
    spec.set("clusterIPs", ips);
    spec.put("clusterIP", ips.get(0).asText());
    ArrayNode fam = spec.putArray("ipFamilies");
    families.forEach(fam::add);
    spec.put("ipFamilyPolicy", policy);
  }
}
