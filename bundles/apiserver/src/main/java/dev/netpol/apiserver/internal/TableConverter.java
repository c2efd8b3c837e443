package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Server-side meta.k8s.io/v1 Table output, what {@code kubectl get} asks for: the usual columns of
 * the built-in kinds and a CRD's additionalPrinterColumns (simple dotted JSONPaths).
 */
public final class TableConverter {
  private record Column(String name, String type, int priority, Function<JsonNode, Object> value) {}

  private final ObjectStore store;

  public TableConverter(ObjectStore store) {
    this.store = store;
  }

  public static boolean wanted(String accept) {
    return accept != null && accept.contains("as=Table");
  }

  /** A Table of objects; includeObject is "Object", "None" or (default) "Metadata". */
  public ObjectNode table(
      ResourceType t, List<ObjectNode> objects, String resourceVersion, String includeObject) {
    List<Column> columns = columns(t);
    ObjectNode table = Json.object().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    table
        .putObject("metadata")
        .put("resourceVersion", resourceVersion == null ? "" : resourceVersion);
    ArrayNode defs = table.putArray("columnDefinitions");
    for (Column c : columns) {
      defs.addObject()
          .put("name", c.name())
          .put("type", c.type().equals("date") ? "string" : c.type())
          .put("format", c.name().equals("Name") ? "name" : "")
          .put("description", c.name())
          .put("priority", c.priority());
    }
    ArrayNode rows = table.putArray("rows");
    for (ObjectNode o : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      for (Column c : columns) {
        Object v = c.value().apply(o);
        if (v instanceof Integer i) {
          cells.add(i);
        } else if (v instanceof JsonNode n) {
          cells.add(n);
        } else {
          cells.add(v == null ? "" : v.toString());
        }
      }
      if ("Object".equals(includeObject)) {
        row.set("object", ResourceService.present(t, o));
      } else if (!"None".equals(includeObject)) {
        ObjectNode partial =
            row.putObject("object")
                .put("kind", "PartialObjectMetadata")
                .put("apiVersion", "meta.k8s.io/v1");
        partial.set("metadata", o.path("metadata").deepCopy());
      }
    }
    return table;
  }

  private List<Column> columns(ResourceType t) {
    List<Column> cols = new ArrayList<>();
    cols.add(new Column("Name", "string", 0, Json::name));
    Column age =
        new Column("Age", "string", 0, o -> age(Json.text(o, "metadata", "creationTimestamp")));
    switch (t.storageKey()) {
      case "/namespaces" -> {
        cols.add(new Column("Status", "string", 0, o -> Json.text(o, "status", "phase")));
        cols.add(age);
      }
      case "/pods" -> {
        cols.add(new Column("Ready", "string", 0, TableConverter::podReady));
        cols.add(
            new Column(
                "Status",
                "string",
                0,
                o ->
                    o.path("metadata").has("deletionTimestamp")
                        ? "Terminating"
                        : or(Json.text(o, "status", "phase"), "Unknown")));
        cols.add(
            new Column(
                "Restarts",
                "string",
                0,
                o -> {
                  int n = 0;
                  for (JsonNode cs : o.path("status").path("containerStatuses")) {
                    n += cs.path("restartCount").asInt();
                  }
                  return Integer.toString(n);
                }));
        cols.add(age);
        cols.add(new Column("IP", "string", 1, o -> or(Json.text(o, "status", "podIP"), "<none>")));
        cols.add(
            new Column("Node", "string", 1, o -> or(Json.text(o, "spec", "nodeName"), "<none>")));
      }
      case "/services" -> {
        cols.add(new Column("Type", "string", 0, o -> Json.text(o, "spec", "type")));
        cols.add(
            new Column(
                "Cluster-IP", "string", 0, o -> or(Json.text(o, "spec", "clusterIP"), "<none>")));
        cols.add(new Column("External-IP", "string", 0, o -> "<none>"));
        cols.add(
            new Column(
                "Port(s)",
                "string",
                0,
                o -> {
                  List<String> ports = new ArrayList<>();
                  o.path("spec")
                      .path("ports")
                      .forEach(
                          p ->
                              ports.add(
                                  p.path("port").asText()
                                      + "/"
                                      + p.path("protocol").asText("TCP")));
                  return ports.isEmpty() ? "<none>" : String.join(",", ports);
                }));
        cols.add(age);
        cols.add(
            new Column(
                "Selector",
                "string",
                1,
                o -> labels(Json.stringMap(o.path("spec").path("selector")))));
      }
      case "networking.k8s.io/networkpolicies" -> {
        cols.add(
            new Column(
                "Pod-Selector",
                "string",
                0,
                o ->
                    labels(
                        Json.stringMap(o.path("spec").path("podSelector").path("matchLabels")))));
        cols.add(age);
      }
      case "discovery.k8s.io/endpointslices" -> {
        cols.add(new Column("AddressType", "string", 0, o -> Json.text(o, "addressType")));
        cols.add(
            new Column(
                "Ports",
                "string",
                0,
                o -> {
                  List<String> ports = new ArrayList<>();
                  o.path("ports")
                      .forEach(p -> ports.add(p.has("port") ? p.path("port").asText() : "<unset>"));
                  return ports.isEmpty() ? "<unset>" : String.join(",", ports);
                }));
        cols.add(
            new Column(
                "Endpoints",
                "string",
                0,
                o -> {
                  List<String> ips = new ArrayList<>();
                  o.path("endpoints")
                      .forEach(e -> e.path("addresses").forEach(a -> ips.add(a.asText())));
                  if (ips.isEmpty()) {
                    return "<unset>";
                  }
                  return ips.size() <= 3
                      ? String.join(",", ips)
                      : String.join(",", ips.subList(0, 3)) + " + " + (ips.size() - 3) + " more...";
                }));
        cols.add(age);
      }
      case "coordination.k8s.io/leases" -> {
        cols.add(
            new Column("Holder", "string", 0, o -> or(Json.text(o, "spec", "holderIdentity"), "")));
        cols.add(age);
      }
      case "/configmaps" -> {
        cols.add(
            new Column(
                "Data", "integer", 0, o -> o.path("data").size() + o.path("binaryData").size()));
        cols.add(age);
      }
      case "/nodes" -> {
        cols.add(new Column("Status", "string", 0, TableConverter::nodeStatus));
        cols.add(new Column("Roles", "string", 0, o -> "<none>"));
        cols.add(age);
        cols.add(
            new Column(
                "Version",
                "string",
                0,
                o -> or(Json.text(o, "status", "nodeInfo", "kubeletVersion"), "")));
      }
      case "apiextensions.k8s.io/customresourcedefinitions" ->
          cols.add(
              new Column(
                  "Created At", "date", 0, o -> Json.text(o, "metadata", "creationTimestamp")));
      default -> cols.addAll(printerColumns(t, age));
    }
    return cols;
  }

  /** A CRD's additionalPrinterColumns for the served version, or just Age. */
  private List<Column> printerColumns(ResourceType t, Column age) {
    ObjectNode crd = store.get(ResourceRegistry.CRDS, null, t.plural() + "." + t.group());
    List<Column> cols = new ArrayList<>();
    if (crd != null) {
      for (JsonNode v : crd.path("spec").path("versions")) {
        if (!t.version().equals(Json.text(v, "name"))) {
          continue;
        }
        for (JsonNode c : v.path("additionalPrinterColumns")) {
          String type = c.path("type").asText("string");
          String path = c.path("jsonPath").asText();
          cols.add(
              new Column(
                  c.path("name").asText(),
                  type,
                  c.path("priority").asInt(0),
                  o -> {
                    JsonNode n = jsonPath(o, path);
                    if (n == null || n.isMissingNode() || n.isNull()) {
                      return "";
                    }
                    if (type.equals("date")) {
                      return age(n.asText());
                    }
                    return n.isContainerNode()
                        ? n.toString()
                        : n.isNumber() || n.isBoolean() ? n : n.asText();
                  }));
        }
      }
    }
    if (cols.isEmpty()) {
      cols.add(age);
    }
    return cols;
  }

  private static final java.util.regex.Pattern FILTER =
      java.util.regex.Pattern.compile("\\?\\(@\\.([\\w.-]+)\\s*==\\s*[\"']([^\"']*)[\"']\\)");

  /**
   * Evaluates the JSONPath subset printer columns use: {@code .a.b[0].c} and list filters such as
   * {@code .status.conditions[?(@.type=="Ready")].status}.
   */
  static JsonNode jsonPath(JsonNode o, String path) {
    JsonNode n = o;
    for (String part : segments(path.replaceAll("^\\{|\\}$", "").replaceFirst("^\\.", ""))) {
      if (part.isEmpty()) {
        continue;
      }
      String field = part;
      String selector = null;
      int b = part.indexOf('[');
      if (b >= 0 && part.endsWith("]")) {
        field = part.substring(0, b);
        selector = part.substring(b + 1, part.length() - 1);
      }
      n = field.isEmpty() ? n : n.path(field);
      if (selector == null) {
        continue;
      }
      java.util.regex.Matcher m = FILTER.matcher(selector);
      if (m.matches()) {
        JsonNode hit = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        for (JsonNode item : n) {
          JsonNode v = jsonPath(item, m.group(1));
          if (v != null && m.group(2).equals(v.asText())) {
            hit = item;
            break;
          }
        }
        n = hit;
      } else {
        try {
          n = n.path(Integer.parseInt(selector));
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return n;
  }

  /** Splits a path at the dots that are not inside brackets. */
  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    StringBuilder cur = new StringBuilder();
    for (char ch : path.toCharArray()) {
      if (ch == '[') {
        depth++;
      } else if (ch == ']') {
        depth--;
      }
      if (ch == '.' && depth == 0) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    out.add(cur.toString());
    return out;
  }

  private static String podReady(JsonNode o) {
    int total = o.path("spec").path("containers").size();
    int ready = 0;
    for (JsonNode cs : o.path("status").path("containerStatuses")) {
      if (cs.path("ready").asBoolean()) {
        ready++;
      }
    }
    return ready + "/" + total;
  }

  private static String nodeStatus(JsonNode o) {
    for (JsonNode c : o.path("status").path("conditions")) {
      if ("Ready".equals(Json.text(c, "type"))) {
        return "True".equals(Json.text(c, "status")) ? "Ready" : "NotReady";
      }
    }
    return "Unknown";
  }

  private static String labels(Map<String, String> m) {
    if (m.isEmpty()) {
      return "<none>";
    }
    List<String> parts = new ArrayList<>();
    m.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(",", parts);
  }

  private static String or(String s, String fallback) {
    return s == null || s.isEmpty() ? fallback : s;
  }

  /** Age as kubectl prints it (k8s.io/apimachinery duration.HumanDuration). */
  static String age(String timestamp) {
    if (timestamp == null) {
      return "<unknown>";
    }
    try {
      return humanDuration(Duration.between(Instant.parse(timestamp), Instant.now()));
    } catch (RuntimeException e) {
      return "<invalid>";
    }
  }

  static String humanDuration(Duration d) {
    long seconds = d.getSeconds();
    if (seconds < -1) {
      return "<invalid>";
    } else if (seconds < 0) {
      return "0s";
    } else if (seconds < 120) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    } else if (minutes < 180) {
      return minutes + "m";
    }
    long hours = minutes / 60;
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    } else if (hours < 24 * 365 * 8) {
      long dy = (hours / 24) % 365;
      return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
    }
    return hours / 24 / 365 + "y";
  }
}
