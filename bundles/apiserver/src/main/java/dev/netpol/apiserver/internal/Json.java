package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;

/** Shared Jackson mappers and small helpers for working on generic Kubernetes objects. */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper();
  public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /**
   * How deeply a request body may nest objects and arrays. Checked while parsing, so a deeper body
   * is refused before its tree is built; far above any Kubernetes object (a CRD's schema included).
   */
  public static final int MAX_REQUEST_DEPTH = 200;

  private static final StreamReadConstraints REQUEST_LIMITS =
      StreamReadConstraints.builder().maxNestingDepth(MAX_REQUEST_DEPTH).build();
  private static final ObjectMapper REQUEST_JSON =
      new ObjectMapper(JsonFactory.builder().streamReadConstraints(REQUEST_LIMITS).build());
  private static final ObjectMapper REQUEST_YAML;

  static {
    LoaderOptions yaml = new LoaderOptions();
    yaml.setNestingDepthLimit(MAX_REQUEST_DEPTH + 1);
    yaml.setCodePointLimit(8 << 20);
    REQUEST_YAML =
        new ObjectMapper(
            YAMLFactory.builder()
                .loaderOptions(yaml)
                .streamReadConstraints(REQUEST_LIMITS)
                .build());
  }

  private Json() {}

  public static ObjectNode object() {
    return NODES.objectNode();
  }

  public static ArrayNode array() {
    return NODES.arrayNode();
  }

  /** Text at a dotted path of plain field names, or null when absent or not a value. */
  public static String text(JsonNode node, String... path) {
    JsonNode n = at(node, path);
    return n == null || n.isNull() || n.isContainerNode() ? null : n.asText();
  }

  public static JsonNode at(JsonNode node, String... path) {
    JsonNode n = node;
    for (String p : path) {
      if (n == null || !n.isObject()) {
        return null;
      }
      n = n.get(p);
    }
    return n;
  }

  /** The child object named field, created (replacing a non-object) when missing. */
  public static ObjectNode child(ObjectNode node, String field) {
    JsonNode n = node.get(field);
    if (n instanceof ObjectNode o) {
      return o;
    }
    return node.putObject(field);
  }

  public static ObjectNode meta(ObjectNode obj) {
    return child(obj, "metadata");
  }

  public static String name(JsonNode obj) {
    return text(obj, "metadata", "name");
  }

  public static String namespace(JsonNode obj) {
    return text(obj, "metadata", "namespace");
  }

  public static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node != null && node.isObject()) {
      node.properties()
          .forEach(e -> out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
    }
    return out;
  }

  public static Map<String, String> labels(JsonNode obj) {
    return stringMap(at(obj, "metadata", "labels"));
  }

  public static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** A request body that must be an object (400 BadRequest otherwise). */
  public static ObjectNode parse(byte[] body, boolean yaml) {
    JsonNode n = parseAny(body, yaml);
    if (!n.isObject()) {
      throw ApiException.badRequest("the request body must be a JSON or YAML object");
    }
    return (ObjectNode) n;
  }

  /**
   * Parses a request body (JSON, or YAML when yaml and it does not start like JSON) within the
   * nesting limit; any failure is 400 BadRequest with the parser's reason and where it stopped.
   */
  public static JsonNode parseAny(byte[] body, boolean yaml) {
    boolean asYaml = yaml && !startsLikeJson(body);
    try {
      JsonNode n = (asYaml ? REQUEST_YAML : REQUEST_JSON).readTree(body);
      if (n == null || n.isMissingNode()) {
        throw ApiException.badRequest("the request body is empty");
      }
      return n;
    } catch (JsonProcessingException e) {
      String reason = e.getOriginalMessage();
      if (reason.contains("nesting depth") || reason.contains("Nesting Depth")) {
        reason = "it nests objects and arrays deeper than " + MAX_REQUEST_DEPTH + " levels";
      }
      JsonLocation at = e.getLocation();
      throw ApiException.badRequest(
          "the request body is not valid "
              + (asYaml ? "YAML" : "JSON")
              + ": "
              + firstLine(reason)
              + (at == null || at.getLineNr() < 1
                  ? ""
                  : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
    } catch (java.io.IOException | RuntimeException e) {
      if (e instanceof ApiException a) {
        throw a;
      }
      String reason = String.valueOf(e.getMessage());
      if (reason.contains("depth") || reason.contains("Depth")) {
        reason = "it nests objects and arrays deeper than " + MAX_REQUEST_DEPTH + " levels";
      }
      throw ApiException.badRequest(
          "the request body is not valid " + (asYaml ? "YAML" : "JSON") + ": " + firstLine(reason));
    }
  }

  private static boolean startsLikeJson(byte[] b) {
    for (byte c : b) {
      if (c == '{' || c == '[') {
        return true;
      }
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return false;
      }
    }
    return false;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }

  public static byte[] bytes(JsonNode n) {
    try {
      return MAPPER.writeValueAsBytes(n);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
