package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * RFC 7386 JSON merge patch, and the strategic-merge approximation built on it: the strategic directives
 * ({@code $patch}, {@code $setElementOrder/...}, {@code $retainKeys}, {@code $deleteFromPrimitiveList/...}) are
 * interpreted where cheap and removed, and lists are replaced as in a merge patch. That is exact for kinds whose
 * lists carry no patch merge keys (NetworkPolicy, EndpointSlice, CRs) and approximate for Pod containers.
 */
public final class MergePatch {
  private MergePatch() {}

  /** Returns the patched copy of target; neither argument is changed. */
  public static JsonNode apply(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : Json.object();
    Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
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
    ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : Json.object();
    Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
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
      if (e.getValue().isNull()) {
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

  /** A copy without any "$..." keys, recursively. */
  public static JsonNode stripDirectives(JsonNode n) {
    if (n.isObject()) {
      ObjectNode out = Json.object();
      n.fields().forEachRemaining(e -> {
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
