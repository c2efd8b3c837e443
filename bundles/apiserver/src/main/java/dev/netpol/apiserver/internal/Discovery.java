package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Discovery documents (/api, /apis, group versions), /version, and a minimal OpenAPI v3: per kind
 * one PATCH operation that lists the fieldValidation parameter, which is what makes kubectl use
 * server-side validation.
 */
public final class Discovery {
  private static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
  private static final List<String> PATCH_PARAMS =
      List.of("dryRun", "fieldManager", "fieldValidation", "force");

  private final ResourceRegistry registry;

  public Discovery(ResourceRegistry registry) {
    this.registry = registry;
  }

  /**
   * An OpenAPI v2 document without any definition, in the protobuf form kubectl asks for (gnostic's
   * openapi_v2.Document: swagger, info, empty paths and definitions). kubectl falls back to it to
   * validate what it cannot validate through OpenAPI v3 — the items of a {@code kind: List} — and
   * skips kinds the document does not define, so the server validates them, as it does everything
   * else here.
   */
  public static byte[] openApiV2Protobuf() {
    java.io.ByteArrayOutputStream info = new java.io.ByteArrayOutputStream();
    field(info, 1, "Kubernetes".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    field(info, 2, "v1.32.0".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    java.io.ByteArrayOutputStream doc = new java.io.ByteArrayOutputStream();
    field(doc, 1, "2.0".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    field(doc, 2, info.toByteArray());
    field(doc, 8, new byte[0]); // paths
    field(doc, 9, new byte[0]); // definitions
    return doc.toByteArray();
  }

  /** The same document as JSON. */
  public static ObjectNode openApiV2() {
    ObjectNode doc = Json.object().put("swagger", "2.0");
    doc.putObject("info").put("title", "Kubernetes").put("version", "v1.32.0");
    doc.putObject("paths");
    doc.putObject("definitions");
    return doc;
  }

  /** A length-delimited protobuf field (wire type 2). */
  private static void field(java.io.ByteArrayOutputStream out, int number, byte[] value) {
    varint(out, (number << 3) | 2);
    varint(out, value.length);
    out.writeBytes(value);
  }

  private static void varint(java.io.ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  public static ObjectNode version() {
    return Json.object()
        .put("major", "1")
        .put("minor", "32")
        .put("gitVersion", "v1.32.0")
        .put("gitCommit", "70d3cc986aa8221cd1dfb1121852688902d3bf53")
        .put("gitTreeState", "clean")
        .put("buildDate", "2024-12-11T17:59:15Z")
        .put("goVersion", "go1.23.3")
        .put("compiler", "gc")
        .put("platform", "linux/amd64");
  }

  public ObjectNode apiVersions(String serverAddress) {
    ObjectNode o = Json.object().put("kind", "APIVersions");
    o.putArray("versions").add("v1");
    o.putArray("serverAddressByClientCIDRs")
        .addObject()
        .put("clientCIDR", "0.0.0.0/0")
        .put("serverAddress", serverAddress);
    return o;
  }

  public ObjectNode apiGroupList() {
    ObjectNode o = Json.object().put("kind", "APIGroupList").put("apiVersion", "v1");
    ArrayNode groups = o.putArray("groups");
    groups().forEach((name, versions) -> groups.add(group(name, versions)));
    return o;
  }

  /** The APIGroup document of one group, or null when not served. */
  public ObjectNode apiGroup(String name) {
    List<String> versions = groups().get(name);
    if (versions == null) {
      return null;
    }
    return group(name, versions).put("kind", "APIGroup").put("apiVersion", "v1");
  }

  private static ObjectNode group(String name, List<String> versions) {
    ObjectNode g = Json.object().put("name", name);
    ArrayNode vs = g.putArray("versions");
    for (String v : versions) {
      vs.addObject().put("groupVersion", name + "/" + v).put("version", v);
    }
    g.putObject("preferredVersion")
        .put("groupVersion", name + "/" + versions.get(0))
        .put("version", versions.get(0));
    return g;
  }

  private Map<String, List<String>> groups() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (ResourceType t : registry.all()) {
      if (!t.group().isEmpty()) {
        List<String> vs = out.computeIfAbsent(t.group(), k -> new java.util.ArrayList<>());
        if (!vs.contains(t.version())) {
          vs.add(t.version());
        }
      }
    }
    return out;
  }

  /** The APIResourceList of a group version ("v1" or "group/version"), or null when not served. */
  public ObjectNode resourceList(String groupVersion) {
    ObjectNode o =
        Json.object()
            .put("kind", "APIResourceList")
            .put("apiVersion", "v1")
            .put("groupVersion", groupVersion);
    ArrayNode resources = o.putArray("resources");
    for (ResourceType t : registry.all()) {
      if (!t.apiVersion().equals(groupVersion)) {
        continue;
      }
      ObjectNode r =
          resources
              .addObject()
              .put("name", t.plural())
              .put("singularName", t.singular())
              .put("namespaced", t.namespaced())
              .put("kind", t.kind());
      ArrayNode verbs = r.putArray("verbs");
      VERBS.forEach(verbs::add);
      if (!t.shortNames().isEmpty()) {
        ArrayNode sn = r.putArray("shortNames");
        t.shortNames().forEach(sn::add);
      }
      if (t == ResourceRegistry.PODS || t == ResourceRegistry.SERVICES) {
        r.putArray("categories").add("all");
      }
      if (t.hasStatus()) {
        ObjectNode s =
            resources
                .addObject()
                .put("name", t.plural() + "/status")
                .put("singularName", "")
                .put("namespaced", t.namespaced())
                .put("kind", t.kind());
        s.putArray("verbs").add("get").add("patch").add("update");
      }
    }
    return resources.isEmpty() ? null : o;
  }

  /**
   * /openapi/v3: one entry per group version, each URL carrying a content hash for client caches.
   */
  public ObjectNode openApiRoot() {
    ObjectNode root = Json.object();
    ObjectNode paths = root.putObject("paths");
    for (String gv : registry.groupVersions()) {
      String key = gv.equals("v1") ? "api/v1" : "apis/" + gv;
      paths
          .putObject(key)
          .put("serverRelativeURL", "/openapi/v3/" + key + "?hash=" + hash(openApi(gv)));
    }
    return root;
  }

  /** The OpenAPI v3 document of one group version ("v1" or "group/version"), or null. */
  public ObjectNode openApi(String groupVersion) {
    ObjectNode doc = Json.object().put("openapi", "3.0.0");
    doc.putObject("info").put("title", "Kubernetes").put("version", "v1.32.0");
    ObjectNode paths = doc.putObject("paths");
    boolean any = false;
    for (ResourceType t : registry.all()) {
      if (!t.apiVersion().equals(groupVersion)) {
        continue;
      }
      any = true;
      String prefix = t.group().isEmpty() ? "/api/v1" : "/apis/" + t.apiVersion();
      String path =
          prefix + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.plural() + "/{name}";
      ObjectNode patch = paths.putObject(path).putObject("patch");
      patch
          .putObject("x-kubernetes-group-version-kind")
          .put("group", t.group())
          .put("version", t.version())
          .put("kind", t.kind());
      ArrayNode params = patch.putArray("parameters");
      for (String p : PATCH_PARAMS) {
        params
            .addObject()
            .put("name", p)
            .put("in", "query")
            .put("required", false)
            .putObject("schema")
            .put("type", "string");
      }
      patch.putObject("responses").putObject("200").put("description", "OK");
    }
    doc.putObject("components").putObject("schemas");
    return any ? doc : null;
  }

  private static String hash(ObjectNode doc) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(Json.bytes(doc));
      return HexFormat.of().formatHex(d).substring(0, 32).toUpperCase();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
