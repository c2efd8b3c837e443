package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * RFC 7386 JSON merge patch, and the strategic-merge approximation built on it: the strategic
 * directives ({@code $patch}, {@code $setElementOrder/...}, {@code $retainKeys}, {@code
 * $deleteFromPrimitiveList/...}) are interpreted where cheap and removed, and lists are replaced as
 * in a merge patch. That is exact for kinds whose lists carry no patch merge keys (NetworkPolicy,
 * EndpointSlice, CRs) and approximate for Pod containers.
 */
public final class MergePatch {
  private MergePatch() {}

  /** Returns the patched copy of target; neither argument is changed. */
  public static JsonNode apply(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result =
        target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : Json.object();
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      if (e.getValue().isNull()) {
        result.remove(e.getKey());
      } else {
        result.set(e.getKey(), apply(result.get(e.getKey()), e.getValue()));
      }
    }
    return result;
  }

  /** Applies a strategic merge patch as described in the class comment. */
  public static JsonNode applyStrategic(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return stripDirectives(patch);
    }
    String directive = Json.text(patch, "$patch");
    if ("delete".equals(directive)) {
      return null;
    }
    if ("replace".equals(directive)) {
      return stripDirectives(patch);
    }
    ObjectNode result =
        target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : Json.object();
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      String key = e.getKey();
      if (key.startsWith("$deleteFromPrimitiveList/")) {
        String field = key.substring("$deleteFromPrimitiveList/".length());
        JsonNode list = result.get(field);
        if (list instanceof ArrayNode arr) {
          List<JsonNode> remove = new ArrayList<>();
          e.getValue().forEach(remove::add);
          for (int i = arr.size() - 1; i >= 0; i--) {
            if (remove.contains(arr.get(i))) {
              arr.remove(i);
            }
          }
        }
        continue;
      }
      if (key.startsWith("$")) {
        continue;
      }
      JsonNode order = patch.get("$setElementOrder/" + key);
      if (e.getValue().isArray() && order != null && order.isArray()) {
        result.set(key, mergeList(result.get(key), (ArrayNode) e.getValue(), (ArrayNode) order));
      } else if (e.getValue().isNull()) {
        result.remove(key);
      } else {
        JsonNode merged = applyStrategic(result.get(key), e.getValue());
        if (merged == null) {
          result.remove(key);
        } else {
          result.set(key, merged);
        }
      }
    }
    return result;
  }

  /**
   * Merges a list that kubectl sent with a {@code $setElementOrder} directive: its elements name
   * the merge key (e.g. {"name": "c"}) and the final order. Elements are matched by that key and
   * merged; {@code $patch: delete} removes one. Primitive lists become the ordered union.
   */
  private static ArrayNode mergeList(JsonNode target, ArrayNode patch, ArrayNode order) {
    ArrayNode out = Json.array();
    List<JsonNode> current = new ArrayList<>();
    if (target != null && target.isArray()) {
      target.forEach(current::add);
    }
    String mergeKey =
        order.size() > 0 && order.get(0).isObject() && order.get(0).size() == 1
            ? order.get(0).fieldNames().next()
            : null;
    if (mergeKey == null) {
      java.util.LinkedHashSet<JsonNode> union = new java.util.LinkedHashSet<>();
      order.forEach(union::add);
      patch.forEach(union::add);
      current.forEach(union::add);
      union.forEach(out::add);
      return out;
    }
    List<JsonNode> seen = new ArrayList<>();
    for (JsonNode o : order) {
      JsonNode k = o.get(mergeKey);
      seen.add(k);
      JsonNode fromPatch = find(patch, mergeKey, k);
      JsonNode fromTarget = find(current, mergeKey, k);
      if (fromPatch != null && "delete".equals(Json.text(fromPatch, "$patch"))) {
        continue;
      }
      JsonNode merged = fromPatch == null ? fromTarget : applyStrategic(fromTarget, fromPatch);
      if (merged != null) {
        out.add(merged);
      }
    }
    for (JsonNode p : patch) {
      if (!seen.contains(p.get(mergeKey)) && !"delete".equals(Json.text(p, "$patch"))) {
        out.add(applyStrategic(find(current, mergeKey, p.get(mergeKey)), p));
      }
    }
    return out;
  }

  private static JsonNode find(Iterable<JsonNode> list, String key, JsonNode value) {
    for (JsonNode n : list) {
      if (value != null && value.equals(n.get(key))) {
        return n;
      }
    }
    return null;
  }

  /** A copy without any "$..." keys, recursively. */
  public static JsonNode stripDirectives(JsonNode n) {
    if (n.isObject()) {
      ObjectNode out = Json.object();
      n.properties()
          .forEach(
              e -> {
                if (!e.getKey().startsWith("$")) {
                  out.set(e.getKey(), stripDirectives(e.getValue()));
                }
              });
      return out;
    }
    if (n.isArray()) {
      ArrayNode out = Json.array();
      n.forEach(x -> out.add(stripDirectives(x)));
      return out;
    }
    return n;
  }
}
