package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Field ownership for server-side apply, kept in {@code metadata.managedFields} in the real format
 * (FieldsV1: {@code f:<field>}, {@code k:{"name":"a"}} for an element of a keyed list, {@code
 * v:<value>} for one of a set, {@code .} for the element itself).
 *
 * <p>An apply by manager M merges M's configuration into the object (maps recursively, keyed lists
 * by key, sets as sets, everything else replaced), removes the fields M applied before and no
 * longer applies unless another manager owns them, and fails with a 409 Conflict when it would
 * change a field another manager owns (unless forced, which takes the field over). Every other
 * write records the fields it changed as owned by its manager (operation Update) and takes them
 * from the others. Lists take their keys from {@link PatchStrategies}; status, and metadata the
 * server sets, are not tracked.
 */
final class FieldManagers {
  private static final Set<String> UNTRACKED_TOP = Set.of("apiVersion", "kind", "status");
  private static final Set<String> UNTRACKED_META =
      Set.of(
          "name",
          "namespace",
          "uid",
          "resourceVersion",
          "generation",
          "creationTimestamp",
          "deletionTimestamp",
          "deletionGracePeriodSeconds",
          "managedFields",
          "selfLink");

  private FieldManagers() {}

  /** One managedFields entry. */
  record Entry(
      String manager, String operation, String apiVersion, String time, Set<List<String>> fields) {}

  /** The paths of every tracked leaf of obj (and of every keyed-list element itself). */
  static Set<List<String>> fields(JsonNode obj, Map<String, String> strategies) {
    Set<List<String>> out = new LinkedHashSet<>();
    walk(obj, new ArrayList<>(), "", strategies, out, true);
    return out;
  }

  private static void walk(
      JsonNode node,
      List<String> path,
      String schemaPath,
      Map<String, String> strategies,
      Set<List<String>> out,
      boolean top) {
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String key = e.getKey();
      if (top && UNTRACKED_TOP.contains(key)) {
        continue;
      }
      if (path.size() == 1 && path.get(0).equals("f:metadata") && UNTRACKED_META.contains(key)) {
        continue;
      }
      JsonNode v = e.getValue();
      List<String> p = append(path, "f:" + key);
      String sp = schemaPath.isEmpty() ? key : schemaPath + "." + key;
      if (v.isObject() && v.size() > 0) {
        walk(v, p, sp, strategies, out, false);
      } else if (v.isArray() && strategies.containsKey(sp) && v.size() > 0) {
        String mergeKey = strategies.get(sp);
        for (JsonNode item : v) {
          if (mergeKey.isEmpty()) {
            out.add(append(p, "v:" + item));
          } else if (item.isObject() && item.has(mergeKey)) {
            List<String> ip = append(p, elementKey(mergeKey, item.get(mergeKey)));
            out.add(append(ip, "."));
            walk(item, ip, sp, strategies, out, false);
          }
        }
      } else {
        out.add(p);
      }
    }
  }

  private static String elementKey(String mergeKey, JsonNode value) {
    return "k:" + Json.object().set(mergeKey, value);
  }

  private static List<String> append(List<String> path, String seg) {
    List<String> p = new ArrayList<>(path);
    p.add(seg);
    return p;
  }

  /** The value at path, or null. For ".", the element; for "v:", the value when present. */
  static JsonNode at(JsonNode node, List<String> path) {
    JsonNode n = node;
    for (String seg : path) {
      if (n == null) {
        return null;
      }
      if (seg.equals(".")) {
        continue;
      }
      if (seg.startsWith("f:")) {
        n = n.isObject() ? n.get(seg.substring(2)) : null;
      } else if (seg.startsWith("k:")) {
        n = findElement(n, seg);
      } else if (seg.startsWith("v:")) {
        JsonNode want = parse(seg.substring(2));
        JsonNode found = null;
        if (n.isArray()) {
          for (JsonNode x : n) {
            if (x.equals(want)) {
              found = x;
            }
          }
        }
        n = found;
      }
    }
    return n;
  }

  private static JsonNode findElement(JsonNode list, String seg) {
    if (!list.isArray()) {
      return null;
    }
    JsonNode key = parse(seg.substring(2));
    String name = key.fieldNames().next();
    for (JsonNode x : list) {
      if (key.get(name).equals(x.get(name))) {
        return x;
      }
    }
    return null;
  }

  private static JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("bad managed field path " + json, e);
    }
  }

  /** managedFields of obj. */
  static List<Entry> read(JsonNode obj) {
    List<Entry> out = new ArrayList<>();
    JsonNode mf = Json.at(obj, "metadata", "managedFields");
    if (mf == null || !mf.isArray()) {
      return out;
    }
    for (JsonNode e : mf) {
      Set<List<String>> fields = new LinkedHashSet<>();
      flatten(e.path("fieldsV1"), new ArrayList<>(), fields);
      out.add(
          new Entry(
              e.path("manager").asText(),
              e.path("operation").asText(),
              e.path("apiVersion").asText(),
              e.path("time").asText(),
              fields));
    }
    return out;
  }

  private static void flatten(JsonNode tree, List<String> path, Set<List<String>> out) {
    if (!tree.isObject()) {
      return;
    }
    for (Map.Entry<String, JsonNode> e : tree.properties()) {
      List<String> p = append(path, e.getKey());
      if (e.getValue().size() == 0) {
        out.add(p);
      } else {
        flatten(e.getValue(), p, out);
      }
    }
  }

  /** Writes entries (dropping empty ones) as obj's managedFields. */
  static void write(ObjectNode obj, List<Entry> entries) {
    ArrayNode arr = Json.array();
    for (Entry e : entries) {
      if (e.fields().isEmpty()) {
        continue;
      }
      ObjectNode tree = Json.object();
      for (List<String> p : e.fields()) {
        ObjectNode n = tree;
        for (String seg : p) {
          n = Json.child(n, seg);
        }
      }
      arr.addObject()
          .put("manager", e.manager())
          .put("operation", e.operation())
          .put("apiVersion", e.apiVersion())
          .put("time", e.time())
          .put("fieldsType", "FieldsV1")
          .set("fieldsV1", tree);
    }
    if (arr.isEmpty()) {
      Json.meta(obj).remove("managedFields");
    } else {
      Json.meta(obj).set("managedFields", arr);
    }
  }

  /**
   * Records a non-apply write: the fields of updated that differ from old (all of them for a
   * create) become manager's (operation Update) and are taken from every other manager; fields that
   * are gone are dropped from all. As on the real server, managedFields in the request replace the
   * stored ones when they differ (kubectl's client-side to server-side apply upgrade relies on it);
   * omitted, the stored ones stay.
   */
  static void recordUpdate(ObjectNode old, ObjectNode updated, String manager, ResourceType t) {
    Map<String, String> strategies = PatchStrategies.of(t);
    Set<List<String>> now = fields(updated, strategies);
    Set<List<String>> changed = new LinkedHashSet<>();
    for (List<String> p : now) {
      if (old == null || !Objects.equals(at(old, p), at(updated, p))) {
        changed.add(p);
      }
    }
    JsonNode sent = Json.at(updated, "metadata", "managedFields");
    JsonNode stored = old == null ? null : Json.at(old, "metadata", "managedFields");
    boolean replaced = old != null && sent != null && !sent.equals(stored);
    List<Entry> entries = replaced ? read(updated) : old == null ? new ArrayList<>() : read(old);
    List<Entry> out = new ArrayList<>();
    boolean mine = false;
    boolean any = !changed.isEmpty();
    for (Entry e : entries) {
      Set<List<String>> f = new LinkedHashSet<>(e.fields());
      int before = f.size();
      f.retainAll(now);
      boolean isMine = e.manager().equals(manager) && e.operation().equals("Update");
      if (isMine) {
        mine = true;
        f.addAll(changed);
      } else {
        f.removeAll(changed);
      }
      any |= f.size() != before;
      out.add(
          new Entry(
              e.manager(),
              e.operation(),
              isMine && !changed.isEmpty() ? t.apiVersion() : e.apiVersion(),
              isMine && !changed.isEmpty() ? Json.now() : e.time(),
              f));
    }
    if (!mine && !changed.isEmpty()) {
      out.add(new Entry(manager, "Update", t.apiVersion(), Json.now(), changed));
    }
    if (any || old == null || replaced) {
      write(updated, out);
    } else if (old.path("metadata").has("managedFields")) {
      Json.meta(updated).set("managedFields", old.path("metadata").get("managedFields").deepCopy());
    } else {
      Json.meta(updated).remove("managedFields");
    }
  }

  /**
   * Server-side apply of config by manager onto live (null: a create). Returns the new object, with
   * its managedFields; throws 409 Conflict naming the fields other managers own, unless force.
   */
  static ObjectNode apply(
      ObjectNode live, ObjectNode config, String manager, boolean force, ResourceType t) {
    Map<String, String> strategies = PatchStrategies.of(t);
    Set<List<String>> applied = fields(config, strategies);
    List<Entry> entries = live == null ? new ArrayList<>() : read(live);
    Map<String, List<List<String>>> conflicts = new TreeMap<>();
    Set<List<String>> taken = new LinkedHashSet<>();
    if (live != null) {
      for (Entry e : entries) {
        if (e.manager().equals(manager) && e.operation().equals("Apply")) {
          continue;
        }
        for (List<String> p : applied) {
          if (!p.get(p.size() - 1).equals(".")
              && e.fields().contains(p)
              && !Objects.equals(at(live, p), at(config, p))) {
            conflicts
                .computeIfAbsent(
                    "\"" + e.manager() + "\" using " + e.apiVersion(), k -> new ArrayList<>())
                .add(p);
            taken.add(p);
          }
        }
      }
    }
    if (!conflicts.isEmpty() && !force && !upgradesClientSideApply(live, manager, taken, t)) {
      throw conflict(conflicts, t);
    }
    ObjectNode result =
        (ObjectNode) merge(live == null ? Json.object() : live, config, "", strategies);
    Set<List<String>> previously = new LinkedHashSet<>();
    Set<List<String>> others = new LinkedHashSet<>();
    for (Entry e : entries) {
      if (e.manager().equals(manager) && e.operation().equals("Apply")) {
        previously.addAll(e.fields());
      } else {
        Set<List<String>> f = new LinkedHashSet<>(e.fields());
        f.removeAll(taken);
        others.addAll(f);
      }
    }
    List<List<String>> drop = new ArrayList<>();
    for (List<String> p : previously) {
      if (!applied.contains(p) && !others.contains(p)) {
        drop.add(p);
      }
    }
    drop.sort(Comparator.comparingInt((List<String> p) -> p.size()).reversed());
    for (List<String> p : drop) {
      remove(result, p, others);
    }
    Set<List<String>> now = fields(result, strategies);
    List<Entry> out = new ArrayList<>();
    boolean found = false;
    for (Entry e : entries) {
      Set<List<String>> f = new LinkedHashSet<>(e.fields());
      if (e.manager().equals(manager) && e.operation().equals("Apply")) {
        found = true;
        boolean same = f.equals(applied);
        out.add(
            new Entry(
                manager,
                "Apply",
                t.apiVersion(),
                same ? e.time() : Json.now(),
                new LinkedHashSet<>(applied)));
        continue;
      }
      f.removeAll(taken);
      f.retainAll(now);
      out.add(new Entry(e.manager(), e.operation(), e.apiVersion(), e.time(), f));
    }
    if (!found) {
      out.add(
          new Entry(manager, "Apply", t.apiVersion(), Json.now(), new LinkedHashSet<>(applied)));
    }
    write(result, out);
    return result;
  }

  /**
   * The real server's upgrade from client-side apply: kubectl's server-side apply (manager
   * "kubectl") may take over the fields it conflicts on when all of them are in the object's
   * last-applied-configuration annotation, i.e. were applied by kubectl before.
   */
  private static boolean upgradesClientSideApply(
      ObjectNode live, String manager, Set<List<String>> conflicting, ResourceType t) {
    String last =
        Json.text(
            live, "metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration");
    if (!"kubectl".equals(manager) || last == null) {
      return false;
    }
    try {
      JsonNode lastApplied = Json.MAPPER.readTree(last);
      return lastApplied.isObject()
          && fields(lastApplied, PatchStrategies.of(t)).containsAll(conflicting);
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** Structured merge: maps recursively, keyed lists by key, sets as sets, the rest replaced. */
  private static JsonNode merge(
      JsonNode live, JsonNode config, String schemaPath, Map<String, String> strategies) {
    if (!config.isObject() || live == null || !live.isObject()) {
      return config.deepCopy();
    }
    ObjectNode out = ((ObjectNode) live).deepCopy();
    for (Map.Entry<String, JsonNode> e : config.properties()) {
      String key = e.getKey();
      JsonNode v = e.getValue();
      if (v.isNull()) {
        continue;
      }
      String sp = schemaPath.isEmpty() ? key : schemaPath + "." + key;
      JsonNode cur = out.get(key);
      String mergeKey = strategies.get(sp);
      if (v.isArray() && mergeKey != null && cur != null && cur.isArray()) {
        ArrayNode merged = ((ArrayNode) cur).deepCopy();
        for (JsonNode item : v) {
          int at = -1;
          for (int i = 0; i < merged.size(); i++) {
            boolean same =
                mergeKey.isEmpty()
                    ? merged.get(i).equals(item)
                    : item.has(mergeKey) && item.get(mergeKey).equals(merged.get(i).get(mergeKey));
            if (same) {
              at = i;
              break;
            }
          }
          if (at < 0) {
            merged.add(item.deepCopy());
          } else if (!mergeKey.isEmpty()) {
            merged.set(at, merge(merged.get(at), item, sp, strategies));
          }
        }
        out.set(key, merged);
      } else {
        out.set(key, merge(cur, v, sp, strategies));
      }
    }
    return out;
  }

  /**
   * Removes the field at path from obj; a keyed element only when nobody else owns anything in it.
   */
  private static void remove(ObjectNode obj, List<String> path, Set<List<String>> others) {
    String last = path.get(path.size() - 1);
    List<String> parentPath = path.subList(0, path.size() - 1);
    if (last.equals(".")) {
      for (List<String> o : others) {
        if (o.size() >= parentPath.size() && o.subList(0, parentPath.size()).equals(parentPath)) {
          return;
        }
      }
      JsonNode list = at(obj, parentPath.subList(0, parentPath.size() - 1));
      JsonNode element = at(obj, parentPath);
      if (list instanceof ArrayNode arr && element != null) {
        for (int i = 0; i < arr.size(); i++) {
          if (arr.get(i) == element) {
            arr.remove(i);
            break;
          }
        }
      }
      return;
    }
    JsonNode parent = at(obj, parentPath);
    if (last.startsWith("f:") && parent instanceof ObjectNode o) {
      o.remove(last.substring(2));
    } else if (last.startsWith("v:") && parent instanceof ArrayNode arr) {
      JsonNode want = parse(last.substring(2));
      for (int i = arr.size() - 1; i >= 0; i--) {
        if (arr.get(i).equals(want)) {
          arr.remove(i);
        }
      }
    }
  }

  private static ApiException conflict(Map<String, List<List<String>>> byManager, ResourceType t) {
    int n = byManager.values().stream().mapToInt(List::size).sum();
    StringBuilder msg =
        new StringBuilder("Apply failed with ")
            .append(n)
            .append(n == 1 ? " conflict: " : " conflicts: ");
    ObjectNode details = Json.object().put("group", t.group()).put("kind", t.plural());
    ArrayNode causes = details.putArray("causes");
    List<String> parts = new ArrayList<>();
    byManager.forEach(
        (manager, paths) -> {
          StringBuilder b = new StringBuilder();
          if (paths.size() == 1) {
            b.append("conflict with ").append(manager).append(": ").append(render(paths.get(0)));
          } else {
            b.append("conflicts with ").append(manager).append(":");
            paths.forEach(p -> b.append("\n- ").append(render(p)));
          }
          parts.add(b.toString());
          paths.forEach(
              p ->
                  causes
                      .addObject()
                      .put("reason", "FieldManagerConflict")
                      .put("message", "conflict with " + manager)
                      .put("field", render(p)));
        });
    msg.append(String.join("\n", parts));
    return new ApiException(409, "Conflict", msg.toString(), details);
  }

  /** ".spec.containers[name=\"a\"].image", as structured-merge-diff prints paths. */
  static String render(List<String> path) {
    StringBuilder b = new StringBuilder();
    for (String seg : path) {
      if (seg.startsWith("f:")) {
        b.append('.').append(seg.substring(2));
      } else if (seg.startsWith("k:")) {
        JsonNode key = parse(seg.substring(2));
        Map<String, String> kv = new LinkedHashMap<>();
        key.properties().forEach(e -> kv.put(e.getKey(), e.getValue().toString()));
        b.append('[');
        kv.forEach((k, v) -> b.append(k).append('=').append(v));
        b.append(']');
      } else if (seg.startsWith("v:")) {
        b.append("[=").append(seg.substring(2)).append(']');
      }
    }
    return b.toString();
  }
}
