package dev.netpol.apiserver.internal;

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

/** Shared Jackson mappers and small helpers for working on generic Kubernetes objects. */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper();
  public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

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

  public static ObjectNode parse(byte[] body, boolean yaml) {
    try {
      JsonNode n = (yaml ? YAML : MAPPER).readTree(body);
      if (n == null || !n.isObject()) {
        throw ApiException.badRequest("request body must be a JSON object");
      }
      return (ObjectNode) n;
    } catch (java.io.IOException e) {
      throw ApiException.badRequest("cannot parse request body: " + e.getMessage());
    }
  }

  public static byte[] bytes(JsonNode n) {
    try {
      return MAPPER.writeValueAsBytes(n);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
