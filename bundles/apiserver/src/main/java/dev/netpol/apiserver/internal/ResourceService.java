package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API semantics on top of the store: metadata bookkeeping, status subresource, defaulting and
 * validation, patches, finalizers, namespace lifecycle and CRD registration. Independent of HTTP.
 */
public final class ResourceService {
  private static final Logger LOG = LoggerFactory.getLogger(ResourceService.class);
  private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  public enum PatchType {
    JSON,
    MERGE,
    STRATEGIC,
    APPLY
  }

  /** A write's result; created tells 201 from 200. */
  public record Result(ObjectNode object, boolean created) {}

  private final ObjectStore store;
  private final ResourceRegistry registry;
  private final Map<String, KindRules> rules = new HashMap<>();

  public ResourceService(ObjectStore store, ResourceRegistry registry) {
    this.store = store;
    this.registry = registry;
    rules.put(ResourceRegistry.NAMESPACES.storageKey(), new NamespaceRules());
    rules.put(ResourceRegistry.PODS.storageKey(), new PodRules());
    rules.put(
        ResourceRegistry.SERVICES.storageKey(), new ServiceRules(new ClusterIpAllocator(store)));
    rules.put(ResourceRegistry.NETWORK_POLICIES.storageKey(), new NetworkPolicyRules());
    rules.put(ResourceRegistry.CRDS.storageKey(), new CrdRules());
  }

  public ObjectStore store() {
    return store;
  }

  public ResourceRegistry registry() {
    return registry;
  }

  /** A copy of obj as served by type t (apiVersion and kind set). */
  public static ObjectNode present(ResourceType t, ObjectNode obj) {
    ObjectNode out = Json.object().put("apiVersion", t.apiVersion()).put("kind", t.kind());
    obj.properties()
        .forEach(
            e -> {
              if (!e.getKey().equals("apiVersion") && !e.getKey().equals("kind")) {
                out.set(e.getKey(), e.getValue().deepCopy());
              }
            });
    return out;
  }

  public ObjectNode get(ResourceType t, String ns, String name) {
    ObjectNode o = store.get(t, ns, name);
    if (o == null) {
      throw ApiException.notFound(t, name);
    }
    return present(t, o);
  }

  /** Matching objects (namespace null = all) and the resourceVersion of the list. */
  public ObjectNode list(ResourceType t, String ns, LabelSelector labels, FieldSelector fields) {
    long rv;
    List<ObjectNode> items;
    synchronized (store) {
      rv = store.resourceVersion();
      items = store.list(t, ns);
    }
    ObjectNode list = Json.object().put("apiVersion", t.apiVersion()).put("kind", t.listKind());
    list.putObject("metadata").put("resourceVersion", Long.toString(rv));
    var arr = list.putArray("items");
    for (ObjectNode o : items) {
      if (labels.matches(Json.labels(o)) && fields.matches(o)) {
        arr.add(present(t, o));
      }
    }
    return list;
  }

  /** The field manager of the server's own writes (controllers, garbage collection). */
  public static final String INTERNAL_MANAGER = "netpol-apiserver";

  public Result create(ResourceType t, String ns, ObjectNode body, boolean dryRun) {
    return create(t, ns, body, dryRun, INTERNAL_MANAGER);
  }

  /**
   * POST; manager (the fieldManager) owns every field of the new object, or, when null, the body
   * already carries its managedFields (server-side apply).
   */
  public Result create(ResourceType t, String ns, ObjectNode body, boolean dryRun, String manager) {
    ObjectNode obj = body.deepCopy();
    checkKind(t, obj);
    ObjectNode meta = Json.meta(obj);
    if (t.namespaced()) {
      String bodyNs = Json.namespace(obj);
      if (ns == null) {
        ns = bodyNs;
      }
      if (ns == null || ns.isEmpty()) {
        throw ApiException.badRequest(
            "the namespace of the object must be set for namespaced resource "
                + t.qualifiedResource());
      }
      if (bodyNs != null && !bodyNs.isEmpty() && !bodyNs.equals(ns)) {
        throw ApiException.badRequest(
            "the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.put("namespace", ns);
      if (store.get(ResourceRegistry.NAMESPACES, null, ns) == null) {
        throw ApiException.namespaceNotFound(ns);
      }
    } else {
      meta.remove("namespace");
    }
    String name = Json.name(obj);
    String generateName = Json.text(obj, "metadata", "generateName");
    if ((name == null || name.isEmpty()) && generateName != null && !generateName.isEmpty()) {
      meta.put("name", generateName + randomSuffix());
    }
    if (t.hasStatus() && t != ResourceRegistry.NODES) {
      obj.remove(
          "status"); // as the real strategies do; nodes are registered with their status by the
      // kubelet
    }
    meta.put("uid", UUID.randomUUID().toString());
    meta.put("creationTimestamp", Json.now());
    meta.put("generation", 1);
    meta.remove("resourceVersion");
    meta.remove("deletionTimestamp");
    meta.remove("deletionGracePeriodSeconds");
    admit(t, obj, null);
    if (manager != null) {
      FieldManagers.recordUpdate(null, obj, manager, t);
    }
    if (dryRun) {
      return new Result(present(t, obj), true);
    }
    ObjectNode stored = store.create(t, obj);
    if (t == ResourceRegistry.CRDS) {
      registry.register(stored);
    }
    LOG.info("created {} {}", t.qualifiedResource(), key(stored));
    return new Result(present(t, stored), true);
  }

  /** PUT of the object (status false) or of its status subresource. */
  public Result update(
      ResourceType t, String ns, String name, ObjectNode body, boolean status, boolean dryRun) {
    return update(t, ns, name, body, status, dryRun, INTERNAL_MANAGER);
  }

  /** PUT by a field manager. */
  public Result update(
      ResourceType t,
      String ns,
      String name,
      ObjectNode body,
      boolean status,
      boolean dryRun,
      String manager) {
    String rv = Json.text(body, "metadata", "resourceVersion");
    if (rv != null && !rv.isEmpty()) {
      return update(t, ns, name, body, status, dryRun, rv, manager);
    }
    // unconditional update: still guard the read-modify-write (status carried over) against
    // concurrent writers
    for (int attempt = 0; ; attempt++) {
      ObjectNode old = store.get(t, ns, name);
      String oldRv = old == null ? null : Json.text(old, "metadata", "resourceVersion");
      try {
        return update(t, ns, name, body, status, dryRun, oldRv, manager);
      } catch (ApiException e) {
        if (!e.reason().equals("Conflict") || attempt >= 10) {
          throw e;
        }
      }
    }
  }

  private Result update(
      ResourceType t,
      String ns,
      String name,
      ObjectNode body,
      boolean status,
      boolean dryRun,
      String expectedRv,
      String manager) {
    ObjectNode old = store.get(t, ns, name);
    if (old == null) {
      throw ApiException.notFound(t, name);
    }
    ObjectNode obj = body.deepCopy();
    checkKind(t, obj);
    String bodyName = Json.name(obj);
    if (bodyName != null && !bodyName.equals(name)) {
      throw ApiException.badRequest(
          "the name of the object ("
              + bodyName
              + ") does not match the name on the URL ("
              + name
              + ")");
    }
    if (t.namespaced()) {
      String bodyNs = Json.namespace(obj);
      if (bodyNs != null && !bodyNs.isEmpty() && !bodyNs.equals(ns)) {
        throw ApiException.badRequest(
            "the namespace of the provided object does not match the namespace sent on the request");
      }
    }
    ObjectNode next;
    if (status) {
      next = old.deepCopy();
      if (obj.has("status")) {
        next.set("status", obj.get("status"));
      } else {
        next.remove("status");
      }
    } else {
      next = obj;
      if (t.hasStatus()) {
        if (old.has("status")) {
          next.set("status", old.get("status").deepCopy());
        } else {
          next.remove("status");
        }
      }
    }
    ObjectNode meta = Json.meta(next);
    ObjectNode oldMeta = (ObjectNode) old.get("metadata");
    meta.put("name", name);
    if (t.namespaced()) {
      meta.put("namespace", ns);
    } else {
      meta.remove("namespace");
    }
    for (String f :
        List.of(
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation")) {
      if (oldMeta.has(f)) {
        meta.set(f, oldMeta.get(f));
      } else {
        meta.remove(f);
      }
    }
    meta.remove("resourceVersion");
    admit(t, next, old);
    if (manager != null) {
      FieldManagers.recordUpdate(old, next, manager, t);
    }
    if (!withoutMetaAndStatus(next).equals(withoutMetaAndStatus(old))) {
      meta.put("generation", oldMeta.path("generation").asLong(1) + 1);
    }
    if (dryRun) {
      return new Result(present(t, next), false);
    }
    if (meta.has("deletionTimestamp") && meta.path("finalizers").size() == 0) {
      store.update(t, next, expectedRv);
      return new Result(present(t, finishDelete(t, ns, name)), false);
    }
    ObjectNode stored = store.update(t, next, expectedRv);
    if (t == ResourceRegistry.CRDS && stored != old) {
      registry.register(stored);
    }
    if (stored != old) {
      LOG.info("updated {}{} {}", t.qualifiedResource(), status ? "/status" : "", key(stored));
    }
    return new Result(present(t, stored), false);
  }

  /**
   * PATCH; server-side apply creates a missing object. Retries on conflict unless the patch pins a
   * resourceVersion.
   */
  public Result patch(
      ResourceType t,
      String ns,
      String name,
      PatchType type,
      byte[] body,
      boolean status,
      boolean dryRun) {
    return patch(t, ns, name, type, body, status, dryRun, INTERNAL_MANAGER, false);
  }

  /**
   * PATCH by a field manager; force takes over fields other managers own (server-side apply only).
   */
  public Result patch(
      ResourceType t,
      String ns,
      String name,
      PatchType type,
      byte[] body,
      boolean status,
      boolean dryRun,
      String manager,
      boolean force) {
    if (type == PatchType.APPLY && (manager == null || manager.isEmpty())) {
      throw new ApiException(
          422,
          "Invalid",
          "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for"
              + " apply patch",
          null);
    }
    if (type == PatchType.STRATEGIC && !registry.isBuiltIn(t)) {
      // as the real server: custom resources have no Go types to take patch strategies from
      throw new ApiException(
          415,
          "UnsupportedMediaType",
          "the body of the request was in an unknown format - accepted media types include: "
              + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
          null);
    }
    JsonNode patch = Json.parseAny(body, type == PatchType.APPLY);
    if (type == PatchType.JSON ? !patch.isArray() : !patch.isObject()) {
      throw ApiException.badRequest(
          "the patch body is not a JSON " + (type == PatchType.JSON ? "array" : "object"));
    }
    for (int attempt = 0; ; attempt++) {
      ObjectNode old = store.get(t, ns, name);
      if (old == null) {
        if (type == PatchType.APPLY) {
          ObjectNode config = ((ObjectNode) patch).deepCopy();
          Json.meta(config).put("name", name);
          ObjectNode obj = FieldManagers.apply(null, config, manager, force, t);
          return create(t, ns, obj, dryRun, null);
        }
        throw ApiException.notFound(t, name);
      }
      String oldRv = Json.text(old, "metadata", "resourceVersion");
      JsonNode patched =
          switch (type) {
            case JSON -> JsonPatches.apply(present(t, old), patch);
            case MERGE -> MergePatch.apply(present(t, old), patch);
            case STRATEGIC ->
                StrategicMergePatch.apply(present(t, old), patch, PatchStrategies.of(t));
            case APPLY ->
                FieldManagers.apply(present(t, old), (ObjectNode) patch, manager, force, t);
          };
      if (!(patched instanceof ObjectNode obj)) {
        throw ApiException.unprocessable("the patch result is not an object");
      }
      String patchedRv = Json.text(obj, "metadata", "resourceVersion");
      boolean pinned = type != PatchType.APPLY && patchedRv != null && !patchedRv.equals(oldRv);
      if (type == PatchType.APPLY
          && !Objects.equals(Json.text(patch, "metadata", "resourceVersion"), null)) {
        pinned = true;
        patchedRv = Json.text(patch, "metadata", "resourceVersion");
      }
      try {
        return update(
            t,
            ns,
            name,
            obj,
            status,
            dryRun,
            pinned ? patchedRv : oldRv,
            type == PatchType.APPLY ? null : manager);
      } catch (ApiException e) {
        if (pinned || !e.reason().equals("Conflict") || attempt >= 10) {
          throw e;
        }
      }
    }
  }

  /** DELETE; with finalizers only marks the object. options may carry preconditions. */
  public ObjectNode delete(
      ResourceType t, String ns, String name, JsonNode options, boolean dryRun) {
    ObjectNode old = store.get(t, ns, name);
    if (old == null) {
      throw ApiException.notFound(t, name);
    }
    String rv = options == null ? null : Json.text(options, "preconditions", "resourceVersion");
    String uid = options == null ? null : Json.text(options, "preconditions", "uid");
    if ((rv != null && !rv.equals(Json.text(old, "metadata", "resourceVersion")))
        || (uid != null && !uid.equals(Json.text(old, "metadata", "uid")))) {
      throw ApiException.conflict(t, name);
    }
    if (dryRun) {
      return present(t, old);
    }
    if (old.path("metadata").path("finalizers").size() > 0) {
      if (old.path("metadata").has("deletionTimestamp")) {
        return present(t, old);
      }
      ObjectNode marked = old.deepCopy();
      Json.meta(marked).put("deletionTimestamp", Json.now()).put("deletionGracePeriodSeconds", 0);
      LOG.info(
          "marked {} {} for deletion, waiting for finalizers", t.qualifiedResource(), key(old));
      return present(t, store.update(t, marked, null));
    }
    return present(t, finishDelete(t, ns, name));
  }

  private ObjectNode finishDelete(ResourceType t, String ns, String name) {
    if (t == ResourceRegistry.NAMESPACES) {
      for (ResourceType rt : registry.all()) {
        if (rt.namespaced()) {
          for (ObjectNode o : store.list(rt, name)) {
            deleteQuietly(rt, name, Json.name(o));
          }
        }
      }
    }
    ObjectNode gone = store.delete(t, ns, name, null);
    LOG.info("deleted {} {}", t.qualifiedResource(), key(gone));
    if (t == ResourceRegistry.CRDS) {
      for (ResourceType crt : registry.unregister(name)) {
        for (ObjectNode o : store.list(crt, null)) {
          deleteQuietly(crt, Json.namespace(o), Json.name(o));
        }
      }
    }
    return gone;
  }

  /** Removes an object regardless of finalizers (namespace and CRD cleanup, garbage collection). */
  public void deleteQuietly(ResourceType t, String ns, String name) {
    try {
      finishDelete(t, ns, name);
    } catch (ApiException e) {
      if (e.code() != 404) {
        throw e;
      }
    }
  }

  public ObjectNode deleteCollection(
      ResourceType t, String ns, LabelSelector labels, FieldSelector fields, boolean dryRun) {
    ObjectNode list = list(t, ns, labels, fields);
    List<JsonNode> deleted = new ArrayList<>();
    for (JsonNode o : list.path("items")) {
      try {
        deleted.add(delete(t, Json.namespace(o), Json.name(o), null, dryRun));
      } catch (ApiException e) {
        if (e.code() != 404) {
          throw e;
        }
      }
    }
    list.putArray("items").addAll(deleted);
    return list;
  }

  private void admit(ResourceType t, ObjectNode obj, ObjectNode old) {
    KindRules r = rules.get(t.storageKey());
    if (r != null) {
      r.applyDefaults(obj, old);
    }
    List<FieldError> errs = new ArrayList<>();
    if (old == null) {
      errs.addAll(NameRules.validate(t, obj));
    }
    errs.addAll(MetadataRules.validate(obj));
    if (r != null) {
      errs.addAll(r.validate(obj, old));
    }
    if (!errs.isEmpty()) {
      LOG.info("rejected {} {}: {}", t.qualifiedResource(), key(obj), errs.get(0).message());
      throw ApiException.invalid(t, Json.name(obj), errs);
    }
  }

  /**
   * The body's apiVersion and kind (when given) must be the resource's, with the real API server's
   * messages; e.g. a List or an unknown kind sent to a resource is 400.
   */
  private static void checkKind(ResourceType t, ObjectNode obj) {
    String kind = Json.text(obj, "kind");
    String apiVersion = Json.text(obj, "apiVersion");
    if (apiVersion != null && !apiVersion.isEmpty() && !apiVersion.equals(t.apiVersion())) {
      throw ApiException.badRequest(
          "the API version in the data ("
              + apiVersion
              + ") does not match the expected API version ("
              + t.apiVersion()
              + ")");
    }
    if (kind != null && !kind.isEmpty() && !kind.equals(t.kind())) {
      throw ApiException.badRequest(
          kind
              + " in version \""
              + t.version()
              + "\" cannot be handled as a "
              + t.kind()
              + ": the kind of the object ("
              + kind
              + ") does not match the resource "
              + t.qualifiedResource());
    }
    MetadataRules.checkStructure(obj);
    obj.put("apiVersion", t.apiVersion());
    obj.put("kind", t.kind());
  }

  private static JsonNode withoutMetaAndStatus(ObjectNode o) {
    ObjectNode c = o.deepCopy();
    c.remove("metadata");
    c.remove("status");
    c.remove("apiVersion");
    c.remove("kind");
    return c;
  }

  private static String randomSuffix() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      b.append(NAME_CHARS.charAt(RANDOM.nextInt(NAME_CHARS.length())));
    }
    return b.toString();
  }

  static String key(JsonNode o) {
    String ns = Json.namespace(o);
    return ns == null ? Json.name(o) : ns + "/" + Json.name(o);
  }
}
