package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test) with RFC 6901 pointers. */
public final class JsonPatch {
  private JsonPatch() {}

  /**
   * Returns the patched copy of target; throws ApiException (422) when an operation cannot be
   * applied.
   */
  public static JsonNode apply(JsonNode target, JsonNode patch) {
    if (!patch.isArray()) {
      throw ApiException.badRequest("a JSON patch must be an array of operations");
    }
    JsonNode doc = target.deepCopy();
    int i = 0;
    for (JsonNode op : patch) {
      try {
        doc = applyOne(doc, op);
      } catch (IllegalArgumentException e) {
        throw ApiException.unprocessable(
            "the server rejected our request due to an error in our request: json patch operation "
                + i
                + " ("
                + op
                + "): "
                + e.getMessage());
      }
      i++;
    }
    return doc;
  }

  private static JsonNode applyOne(JsonNode doc, JsonNode op) {
    String kind = Json.text(op, "op");
    String path = Json.text(op, "path");
    if (kind == null || path == null) {
      throw new IllegalArgumentException("missing op or path");
    }
    switch (kind) {
      case "add":
        return add(doc, path, value(op));
      case "remove":
        return remove(doc, path);
      case "replace":
        get(doc, path);
        return add(remove(doc, path), path, value(op));
      case "move":
        {
          String from = required(op, "from");
          JsonNode v = get(doc, from);
          return add(remove(doc, from), path, v);
        }
      case "copy":
        return add(doc, path, get(doc, required(op, "from")).deepCopy());
      case "test":
        if (!get(doc, path).equals(value(op))) {
          throw new IllegalArgumentException("test failed at " + path);
        }
        return doc;
      default:
        throw new IllegalArgumentException("unknown op " + kind);
    }
  }

  private static String required(JsonNode op, String field) {
    String v = Json.text(op, field);
    if (v == null) {
      throw new IllegalArgumentException("missing " + field);
    }
    return v;
  }

  private static JsonNode value(JsonNode op) {
    if (!op.has("value")) {
      throw new IllegalArgumentException("missing value");
    }
    return op.get("value").deepCopy();
  }

  static List<String> tokens(String pointer) {
    List<String> out = new ArrayList<>();
    if (pointer.isEmpty()) {
      return out;
    }
    if (!pointer.startsWith("/")) {
      throw new IllegalArgumentException("pointer must start with '/': " + pointer);
    }
    for (String t : pointer.substring(1).split("/", -1)) {
      out.add(t.replace("~1", "/").replace("~0", "~"));
    }
    return out;
  }

  private static JsonNode get(JsonNode doc, String pointer) {
    JsonNode n = doc;
    for (String t : tokens(pointer)) {
      n = child(n, t);
      if (n == null) {
        throw new IllegalArgumentException("path not found: " + pointer);
      }
    }
    return n;
  }

  private static JsonNode child(JsonNode n, String token) {
    if (n.isObject()) {
      return n.get(token);
    }
    if (n.isArray()) {
      int idx = index(token, n.size() - 1);
      return n.get(idx);
    }
    return null;
  }

  private static int index(String token, int max) {
    try {
      int i = Integer.parseInt(token);
      if (i < 0 || i > max || (token.length() > 1 && token.startsWith("0"))) {
        throw new IllegalArgumentException("array index out of range: " + token);
      }
      return i;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an array index: " + token);
    }
  }

  private static JsonNode add(JsonNode doc, String pointer, JsonNode value) {
    List<String> t = tokens(pointer);
    if (t.isEmpty()) {
      return value;
    }
    JsonNode parent = get(doc, parentPointer(pointer));
    String last = t.get(t.size() - 1);
    if (parent instanceof ObjectNode o) {
      o.set(last, value);
    } else if (parent instanceof ArrayNode a) {
      if (last.equals("-")) {
        a.add(value);
      } else {
        a.insert(index(last, a.size()), value);
      }
    } else {
      throw new IllegalArgumentException("parent of " + pointer + " is not a container");
    }
    return doc;
  }

  private static JsonNode remove(JsonNode doc, String pointer) {
    List<String> t = tokens(pointer);
    if (t.isEmpty()) {
      throw new IllegalArgumentException("cannot remove the whole document");
    }
    JsonNode parent = get(doc, parentPointer(pointer));
    String last = t.get(t.size() - 1);
    if (parent instanceof ObjectNode o) {
      if (!o.has(last)) {
        throw new IllegalArgumentException("path not found: " + pointer);
      }
      o.remove(last);
    } else if (parent instanceof ArrayNode a) {
      a.remove(index(last, a.size() - 1));
    } else {
      throw new IllegalArgumentException("parent of " + pointer + " is not a container");
    }
    return doc;
  }

  private static String parentPointer(String pointer) {
    return pointer.substring(0, pointer.lastIndexOf('/'));
  }
}
