package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strategic merge patch on generic JSON, driven by the merge keys of {@link PatchStrategies}: maps
 * merge recursively (null deletes a key); lists with a merge key merge element by element (an
 * element with {@code $patch: delete} removes its match, {@code {"$patch": "replace"}} in a list
 * replaces the whole list); scalar lists with the merge strategy are merged as sets; every other
 * list is replaced. Directives: {@code $patch: replace|delete|merge} on maps, {@code $retainKeys},
 * {@code $deleteFromPrimitiveList/<list>} and {@code $setElementOrder/<list>}.
 */
final class StrategicMergePatch {
  private StrategicMergePatch() {}

  /** Returns the patched copy of target (neither is changed). */
  static JsonNode apply(JsonNode target, JsonNode patch, Map<String, String> strategies) {
    JsonNode out = merge(target, patch, "", strategies);
    return out == null ? Json.object() : out;
  }

  private static JsonNode merge(
      JsonNode target, JsonNode patch, String path, Map<String, String> strategies) {
    if (!patch.isObject()) {
      return strip(patch);
    }
    String directive = Json.text(patch, "$patch");
    if ("delete".equals(directive)) {
      return null;
    }
    if ("replace".equals(directive)) {
      return strip(patch);
    }
    ObjectNode result =
        target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : Json.object();
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (key.startsWith("$deleteFromPrimitiveList/")) {
        String field = key.substring("$deleteFromPrimitiveList/".length());
        if (result.get(field) instanceof ArrayNode arr) {
          Set<JsonNode> remove = new HashSet<>();
          value.forEach(remove::add);
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
      String child = path.isEmpty() ? key : path + "." + key;
      if (value.isNull()) {
        result.remove(key);
      } else if (value.isArray()) {
        result.set(key, mergeList(result.get(key), (ArrayNode) value, child, strategies));
      } else {
        JsonNode merged = merge(result.get(key), value, child, strategies);
        if (merged == null) {
          result.remove(key);
        } else {
          result.set(key, merged);
        }
      }
    }
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      if (e.getKey().startsWith("$setElementOrder/") && e.getValue().isArray()) {
        String field = e.getKey().substring("$setElementOrder/".length());
        String mergeKey = strategies.get(path.isEmpty() ? field : path + "." + field);
        if (result.get(field) instanceof ArrayNode arr && mergeKey != null) {
          result.set(field, reorder(arr, (ArrayNode) e.getValue(), mergeKey));
        }
      }
    }
    JsonNode retain = patch.get("$retainKeys");
    if (retain != null && retain.isArray()) {
      Set<String> keep = new HashSet<>();
      retain.forEach(k -> keep.add(k.asText()));
      result.properties().removeIf(f -> !keep.contains(f.getKey()));
    }
    return result;
  }

  private static ArrayNode mergeList(
      JsonNode target, ArrayNode patch, String path, Map<String, String> strategies) {
    String mergeKey = strategies.get(path);
    List<JsonNode> replace = new ArrayList<>();
    boolean replaceAll = false;
    for (JsonNode p : patch) {
      if (p.isObject() && p.size() == 1 && "replace".equals(Json.text(p, "$patch"))) {
        replaceAll = true;
      } else {
        replace.add(p);
      }
    }
    if (mergeKey == null || replaceAll || target == null || !target.isArray()) {
      ArrayNode out = Json.array();
      for (JsonNode p : replace) {
        if (!"delete".equals(Json.text(p, "$patch"))) {
          out.add(strip(p));
        }
      }
      return out;
    }
    if (mergeKey.isEmpty()) {
      LinkedHashSet<JsonNode> union = new LinkedHashSet<>();
      target.forEach(union::add);
      replace.forEach(p -> union.add(strip(p)));
      ArrayNode out = Json.array();
      union.forEach(out::add);
      return out;
    }
    List<JsonNode> out = new ArrayList<>();
    target.forEach(out::add);
    for (JsonNode p : replace) {
      JsonNode k = p.get(mergeKey);
      int at = -1;
      for (int i = 0; i < out.size() && k != null; i++) {
        if (k.equals(out.get(i).get(mergeKey))) {
          at = i;
          break;
        }
      }
      if ("delete".equals(Json.text(p, "$patch"))) {
        if (at >= 0) {
          out.remove(at);
        }
      } else if (at >= 0) {
        JsonNode merged = merge(out.get(at), p, path, strategies);
        if (merged == null) {
          out.remove(at);
        } else {
          out.set(at, merged);
        }
      } else {
        JsonNode added = merge(null, p, path, strategies);
        if (added != null) {
          out.add(added);
        }
      }
    }
    ArrayNode arr = Json.array();
    out.forEach(arr::add);
    return arr;
  }

  /**
   * The elements named by the order directive, in its order, then the others in their own order.
   */
  private static ArrayNode reorder(ArrayNode list, ArrayNode order, String mergeKey) {
    List<JsonNode> keys = new ArrayList<>();
    order.forEach(o -> keys.add(mergeKey.isEmpty() ? o : o.get(mergeKey)));
    List<JsonNode> rest = new ArrayList<>();
    JsonNode[] placed = new JsonNode[keys.size()];
    for (JsonNode e : list) {
      int i = keys.indexOf(mergeKey.isEmpty() ? e : e.get(mergeKey));
      if (i >= 0 && placed[i] == null) {
        placed[i] = e;
      } else {
        rest.add(e);
      }
    }
    ArrayNode out = Json.array();
    for (JsonNode e : placed) {
      if (e != null) {
        out.add(e);
      }
    }
    rest.forEach(out::add);
    return out;
  }

  /** A copy without any "$..." keys, recursively. */
  static JsonNode strip(JsonNode n) {
    if (n.isObject()) {
      ObjectNode out = Json.object();
      n.properties()
          .forEach(
              e -> {
                if (!e.getKey().startsWith("$")) {
                  out.set(e.getKey(), strip(e.getValue()));
                }
              });
      return out;
    }
    if (n.isArray()) {
      ArrayNode out = Json.array();
      n.forEach(x -> out.add(strip(x)));
      return out;
    }
    return n;
  }
}
