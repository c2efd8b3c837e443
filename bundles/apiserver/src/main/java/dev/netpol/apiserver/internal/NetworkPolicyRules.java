package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * networking.k8s.io/v1 NetworkPolicy defaulting and validation, following the API server's rules
 * and messages.
 */
final class NetworkPolicyRules implements KindRules {
  private static final String CIDR_HINT =
      "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";
  private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");
  private static final Pattern PORT_NAME = Pattern.compile("[-a-z0-9]+");

  @Override
  public void applyDefaults(ObjectNode obj, ObjectNode old) {
    ObjectNode spec = Json.child(obj, "spec");
    Json.child(spec, "podSelector");
    if (!spec.has("policyTypes") || spec.get("policyTypes").isNull()) {
      ArrayNode types = spec.putArray("policyTypes").add("Ingress");
      if (spec.path("egress").size() > 0) {
        types.add("Egress");
      }
    }
    for (String dir : List.of("ingress", "egress")) {
      for (JsonNode rule : spec.path(dir)) {
        for (JsonNode port : rule.path("ports")) {
          if (port instanceof ObjectNode p && (!p.has("protocol") || p.get("protocol").isNull())) {
            p.put("protocol", "TCP");
          }
        }
      }
    }
  }

  @Override
  public List<FieldError> validate(ObjectNode obj, ObjectNode old) {
    List<FieldError> errs = new ArrayList<>();
    JsonNode spec = obj.path("spec");
    selector(spec.path("podSelector"), "spec.podSelector", errs);
    rules(spec.path("ingress"), "spec.ingress", "from", errs);
    rules(spec.path("egress"), "spec.egress", "to", errs);
    JsonNode types = spec.path("policyTypes");
    if (types.size() > 2) {
      errs.add(
          FieldError.invalid(
              "spec.policyTypes", types, "may not specify more than two policyTypes"));
    } else {
      for (int i = 0; i < types.size(); i++) {
        String t = types.get(i).asText();
        if (!t.equals("Ingress") && !t.equals("Egress")) {
          errs.add(FieldError.unsupported("spec.policyTypes[" + i + "]", t, "Ingress", "Egress"));
        }
      }
    }
    return errs;
  }

  private static void rules(JsonNode rules, String path, String peersField, List<FieldError> errs) {
    for (int i = 0; i < rules.size(); i++) {
      String rulePath = path + "[" + i + "]";
      JsonNode ports = rules.get(i).path("ports");
      for (int j = 0; j < ports.size(); j++) {
        port(ports.get(j), rulePath + ".ports[" + j + "]", errs);
      }
      JsonNode peers = rules.get(i).path(peersField);
      for (int j = 0; j < peers.size(); j++) {
        peer(peers.get(j), rulePath + "." + peersField + "[" + j + "]", errs);
      }
    }
  }

  static void port(JsonNode port, String path, List<FieldError> errs) {
    String protocol = Json.text(port, "protocol");
    if (protocol != null && !Set.of("TCP", "UDP", "SCTP").contains(protocol)) {
      errs.add(FieldError.unsupported(path + ".protocol", protocol, "SCTP", "TCP", "UDP"));
    }
    JsonNode p = port.get("port");
    boolean hasPort = p != null && !p.isNull();
    if (hasPort) {
      if (p.isNumber()) {
        int v = p.asInt();
        if (v < 1 || v > 65535 || !p.canConvertToInt()) {
          errs.add(
              FieldError.invalid(
                  path + ".port", p.asLong(), "must be between 1 and 65535, inclusive"));
        }
      } else {
        portName(p.asText(), path + ".port", errs);
      }
    }
    JsonNode end = port.get("endPort");
    if (end != null && !end.isNull()) {
      if (!hasPort) {
        errs.add(
            FieldError.required(path + ".port", "must specify port when endPort is specified"));
      } else if (!p.isNumber()) {
        errs.add(
            FieldError.forbidden(
                path + ".endPort", "may not be specified when `port` is non-numeric"));
      } else if (end.asLong() < p.asLong()) {
        errs.add(
            FieldError.invalid(
                path + ".endPort", end.asLong(), "must be greater than or equal to `port`"));
      } else if (end.asLong() > 65535) {
        errs.add(
            FieldError.invalid(
                path + ".endPort", end.asLong(), "must be between 1 and 65535, inclusive"));
      }
    }
  }

  private static void portName(String name, String path, List<FieldError> errs) {
    if (name.length() > 15) {
      errs.add(FieldError.invalid(path, name, "must be no more than 15 characters"));
    } else if (!PORT_NAME.matcher(name).matches()) {
      errs.add(
          FieldError.invalid(
              path,
              name,
              "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"));
    } else if (!name.matches(".*[a-z].*")) {
      errs.add(FieldError.invalid(path, name, "must contain at least one letter (a-z)"));
    } else if (name.contains("--")) {
      errs.add(FieldError.invalid(path, name, "must not contain consecutive hyphens"));
    } else if (name.startsWith("-") || name.endsWith("-")) {
      errs.add(FieldError.invalid(path, name, "must not begin or end with a hyphen"));
    }
  }

  private static void peer(JsonNode peer, String path, List<FieldError> errs) {
    int n = 0;
    for (String sel : List.of("podSelector", "namespaceSelector")) {
      if (peer.hasNonNull(sel)) {
        n++;
        selector(peer.get(sel), path + "." + sel, errs);
      }
    }
    JsonNode ipBlock = peer.get("ipBlock");
    if (ipBlock != null && !ipBlock.isNull()) {
      n++;
      ipBlock(ipBlock, path + ".ipBlock", errs);
    }
    if (n == 0) {
      errs.add(FieldError.required(path, "must specify a peer"));
    } else if (n > 1 && ipBlock != null && !ipBlock.isNull()) {
      errs.add(FieldError.forbidden(path, "may not specify both ipBlock and another peer"));
    }
  }

  static void ipBlock(JsonNode block, String path, List<FieldError> errs) {
    String cidr = Json.text(block, "cidr");
    if (cidr == null || cidr.isEmpty()) {
      errs.add(FieldError.required(path + ".cidr", ""));
      return;
    }
    Cidrs.Net net = Cidrs.parse(cidr);
    if (net == null) {
      errs.add(FieldError.invalid(path + ".cidr", cidr, CIDR_HINT));
      return;
    }
    JsonNode except = block.path("except");
    for (int i = 0; i < except.size(); i++) {
      String p = path + ".except[" + i + "]";
      String ex = except.get(i).asText();
      Cidrs.Net exNet = Cidrs.parse(ex);
      if (exNet == null) {
        errs.add(FieldError.invalid(p, ex, CIDR_HINT));
      } else if (!net.contains(exNet) || net.prefix() >= exNet.prefix()) {
        errs.add(FieldError.invalid(p, ex, "must be a strict subset of `cidr`"));
      }
    }
  }

  /** metav1.LabelSelector validation (operators and values). */
  static void selector(JsonNode sel, String path, List<FieldError> errs) {
    JsonNode exprs = sel.path("matchExpressions");
    for (int i = 0; i < exprs.size(); i++) {
      JsonNode e = exprs.get(i);
      String p = path + ".matchExpressions[" + i + "]";
      String op = Json.text(e, "operator");
      int values = e.path("values").size();
      if (op == null || !OPERATORS.contains(op)) {
        errs.add(
            FieldError.invalid(
                p + ".operator", op == null ? "" : op, "not a valid selector operator"));
      } else if ((op.equals("In") || op.equals("NotIn")) && values == 0) {
        errs.add(
            FieldError.required(
                p + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
      } else if ((op.equals("Exists") || op.equals("DoesNotExist")) && values > 0) {
        errs.add(
            FieldError.forbidden(
                p + ".values",
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    }
  }
}
