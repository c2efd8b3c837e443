package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes every HTTP request: discovery, health, OpenAPI, and the resource verbs. */
public final class ApiHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
  private static final long DEFAULT_WATCH_SECONDS = 1800;

  /** The real API server's limit on request bodies (3 MiB); larger ones get 413. */
  public static final int MAX_BODY_BYTES = 3 << 20;

  private final ResourceService service;
  private final Discovery discovery;
  private final BooleanSupplier stopping;
  private final TableConverter tables;
  private final Watches watches;

  public ApiHandler(ResourceService service, BooleanSupplier stopping, Watches watches) {
    this.service = service;
    this.watches = watches;
    this.discovery = new Discovery(service.registry());
    this.stopping = stopping;
    this.tables = new TableConverter(service.store());
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try {
      route(ex);
    } catch (ApiException e) {
      try {
        awaitDurable();
      } catch (ApiException ignored) {
        // the error is answered all the same
      }
      sendNow(ex, e.code(), e.status());
    } catch (RuntimeException e) {
      LOG.warn("request {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
      sendNow(
          ex, 500, new ApiException(500, "InternalError", "internal error: " + e, null).status());
    } finally {
      ex.close();
    }
  }

  private void route(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String method = ex.getRequestMethod();
    Map<String, String> query = query(ex.getRequestURI().getRawQuery());
    switch (path) {
      case "/version", "/version/" -> {
        send(ex, 200, Discovery.version());
        return;
      }
      case "/healthz", "/readyz", "/livez" -> {
        sendText(ex, 200, "ok");
        return;
      }
      case "/api", "/api/" -> {
        send(
            ex,
            200,
            discovery.apiVersions(
                ex.getLocalAddress().getHostString() + ":" + ex.getLocalAddress().getPort()));
        return;
      }
      case "/apis", "/apis/" -> {
        send(ex, 200, discovery.apiGroupList());
        return;
      }
      case "/openapi/v2", "/openapi/v2/" -> {
        String accept = ex.getRequestHeaders().getFirst("Accept");
        if (accept != null && accept.contains("protobuf")) {
          byte[] b = Discovery.openApiV2Protobuf();
          ex.getResponseHeaders()
              .set("Content-Type", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
          ex.sendResponseHeaders(200, b.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
          }
        } else {
          send(ex, 200, Discovery.openApiV2());
        }
        return;
      }
      case "/openapi/v3", "/openapi/v3/" -> {
        send(ex, 200, discovery.openApiRoot());
        return;
      }
      default -> {}
    }
    if (path.startsWith("/healthz/") || path.startsWith("/readyz/") || path.startsWith("/livez/")) {
      sendText(ex, 200, "ok");
      return;
    }
    if (path.startsWith("/openapi/v3/")) {
      String gv = path.substring("/openapi/v3/".length()).replaceFirst("^apis?/", "");
      ObjectNode doc = discovery.openApi(gv);
      sendOrNotFound(ex, doc);
      return;
    }
    String trimmed = path.replaceAll("/+$", "");
    if (trimmed.equals("/api/v1")) {
      sendOrNotFound(ex, discovery.resourceList("v1"));
      return;
    }
    String[] parts = trimmed.split("/");
    if (parts.length == 3 && parts[1].equals("apis")) {
      sendOrNotFound(ex, discovery.apiGroup(parts[2]));
      return;
    }
    if (parts.length == 4 && parts[1].equals("apis")) {
      sendOrNotFound(ex, discovery.resourceList(parts[2] + "/" + parts[3]));
      return;
    }
    RequestPath rp = RequestPath.parse(path, service.registry());
    if (rp == null) {
      throw ApiException.pathNotFound();
    }
    ResourceType t = service.registry().find(rp.apiVersion(), rp.plural());
    if (t == null) {
      throw ApiException.pathNotFound();
    }
    resource(ex, method, query, rp, t);
  }

  private void resource(
      HttpExchange ex, String method, Map<String, String> query, RequestPath rp, ResourceType t)
      throws IOException {
    String ns = t.namespaced() ? rp.namespace() : null;
    if (!t.namespaced() && rp.namespace() != null) {
      throw ApiException.pathNotFound();
    }
    boolean status = "status".equals(rp.subresource());
    if (rp.subresource() != null && (!status || !t.hasStatus())) {
      throw ApiException.pathNotFound();
    }
    boolean dryRun = query.containsKey("dryRun");
    LabelSelector labels = LabelSelector.parse(query.get("labelSelector"));
    FieldSelector fields = FieldSelector.parse(query.get("fieldSelector"));
    if (rp.name() == null) {
      switch (method) {
        case "GET" -> {
          if (rp.watchPath()
              || "true".equals(query.get("watch"))
              || "1".equals(query.get("watch"))) {
            long timeout =
                query.containsKey("timeoutSeconds")
                    ? Long.parseLong(query.get("timeoutSeconds"))
                    : DEFAULT_WATCH_SECONDS;
            new WatchStream(service.store(), t, ns, labels, fields, renderer(ex, query, t), watches)
                .serve(
                    ex,
                    query.get("resourceVersion"),
                    timeout,
                    "true".equals(query.get("allowWatchBookmarks")),
                    stopping);
          } else {
            ObjectNode list = service.list(t, ns, labels, fields);
            if (TableConverter.wanted(ex.getRequestHeaders().getFirst("Accept"))) {
              List<ObjectNode> items = new ArrayList<>();
              list.path("items").forEach(i -> items.add((ObjectNode) i));
              send(
                  ex,
                  200,
                  tables.table(
                      t,
                      items,
                      list.at("/metadata/resourceVersion").asText(),
                      query.get("includeObject")));
            } else {
              send(ex, 200, list);
            }
          }
        }
        case "POST" -> {
          ResourceService.Result r = service.create(t, ns, body(ex), dryRun, manager(ex, query));
          send(ex, 201, r.object());
        }
        case "DELETE" -> send(ex, 200, service.deleteCollection(t, ns, labels, fields, dryRun));
        default ->
            throw ApiException.methodNotAllowed(method + " is not supported on a collection");
      }
      return;
    }
    if (rp.watchPath()) {
      FieldSelector byName = FieldSelector.parse("metadata.name=" + rp.name());
      long timeout =
          query.containsKey("timeoutSeconds")
              ? Long.parseLong(query.get("timeoutSeconds"))
              : DEFAULT_WATCH_SECONDS;
      new WatchStream(service.store(), t, ns, labels, byName, renderer(ex, query, t), watches)
          .serve(
              ex,
              query.get("resourceVersion"),
              timeout,
              "true".equals(query.get("allowWatchBookmarks")),
              stopping);
      return;
    }
    switch (method) {
      case "GET" -> {
        ObjectNode o = service.get(t, ns, rp.name());
        if (TableConverter.wanted(ex.getRequestHeaders().getFirst("Accept")) && !status) {
          send(
              ex,
              200,
              tables.table(
                  t,
                  List.of(o),
                  Json.text(o, "metadata", "resourceVersion"),
                  query.get("includeObject")));
        } else {
          send(ex, 200, o);
        }
      }
      case "PUT" ->
          send(
              ex,
              200,
              service
                  .update(t, ns, rp.name(), body(ex), status, dryRun, manager(ex, query))
                  .object());
      case "PATCH" -> {
        ResourceService.PatchType type = patchType(ex);
        ResourceService.Result r =
            service.patch(
                t,
                ns,
                rp.name(),
                type,
                readBody(ex),
                status,
                dryRun,
                type == ResourceService.PatchType.APPLY
                    ? query.get("fieldManager")
                    : manager(ex, query),
                "true".equals(query.get("force")));
        send(ex, r.created() ? 201 : 200, r.object());
      }
      case "DELETE" -> {
        byte[] b = readBody(ex);
        JsonNode options = b.length == 0 ? null : Json.parse(b, contentType(ex).contains("yaml"));
        send(ex, 200, service.delete(t, ns, rp.name(), options, dryRun));
      }
      default -> throw ApiException.methodNotAllowed(method + " is not supported on an object");
    }
  }

  /**
   * Watch events carry the object, or a one-row Table when the client asked for tables (kubectl get
   * -w).
   */
  private Function<ObjectNode, JsonNode> renderer(
      HttpExchange ex, Map<String, String> query, ResourceType t) {
    if (TableConverter.wanted(ex.getRequestHeaders().getFirst("Accept"))) {
      return o ->
          tables.table(
              t,
              List.of(o),
              Json.text(o, "metadata", "resourceVersion"),
              query.get("includeObject"));
    }
    return o -> ResourceService.present(t, o);
  }

  /**
   * The request's field manager: the fieldManager parameter, else the client's name from its
   * User-Agent (as the real server defaults it), else "unknown".
   */
  private static String manager(HttpExchange ex, Map<String, String> query) {
    String m = query.get("fieldManager");
    if (m != null && !m.isEmpty()) {
      return m;
    }
    String ua = ex.getRequestHeaders().getFirst("User-Agent");
    if (ua != null && !ua.isBlank()) {
      String name = ua.trim().split("[/ ]", 2)[0];
      if (!name.isEmpty()) {
        return name.length() > 128 ? name.substring(0, 128) : name;
      }
    }
    return "unknown";
  }

  private static ResourceService.PatchType patchType(HttpExchange ex) {
    String ct = contentType(ex);
    if (ct.contains("protobuf")) {
      throw ApiException.unsupportedMediaType(ct);
    }
    if (ct.startsWith("application/json-patch+json")) {
      return ResourceService.PatchType.JSON;
    }
    if (ct.startsWith("application/merge-patch+json")) {
      return ResourceService.PatchType.MERGE;
    }
    if (ct.startsWith("application/strategic-merge-patch+json")) {
      return ResourceService.PatchType.STRATEGIC;
    }
    if (ct.startsWith("application/apply-patch+yaml")
        || ct.startsWith("application/apply-patch+json")) {
      return ResourceService.PatchType.APPLY;
    }
    throw ApiException.unsupportedMediaType(ct);
  }

  private static String contentType(HttpExchange ex) {
    String ct = ex.getRequestHeaders().getFirst("Content-Type");
    return ct == null ? "" : ct.toLowerCase();
  }

  private static ObjectNode body(HttpExchange ex) throws IOException {
    String ct = contentType(ex);
    if (ct.contains("protobuf")) {
      return ProtobufBodies.decode(readBody(ex), ct);
    }
    if (ct.contains("cbor")) {
      throw ApiException.unsupportedMediaType(ct);
    }
    return Json.parse(readBody(ex), ct.contains("yaml"));
  }

  /** The request body, or 413 RequestEntityTooLarge past {@link #MAX_BODY_BYTES}. */
  private static byte[] readBody(HttpExchange ex) throws IOException {
    String declared = ex.getRequestHeaders().getFirst("Content-Length");
    long length = -1;
    if (declared != null) {
      try {
        length = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("invalid Content-Length " + declared);
      }
    }
    byte[] b =
        length > MAX_BODY_BYTES ? new byte[0] : ex.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
    if (length > MAX_BODY_BYTES || b.length > MAX_BODY_BYTES) {
      drain(ex);
      throw ApiException.tooLarge(MAX_BODY_BYTES);
    }
    return b;
  }

  /**
   * Reads and drops the rest of a refused body (up to a bound), so that closing the connection does
   * not reset it before the client has read the 413.
   */
  private static void drain(HttpExchange ex) throws IOException {
    ex.getResponseHeaders().set("Connection", "close");
    var in = ex.getRequestBody();
    byte[] sink = new byte[1 << 16];
    long left = 16L * MAX_BODY_BYTES;
    int n;
    while (left > 0 && (n = in.read(sink)) > 0) {
      left -= n;
    }
  }

  static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }

  private void sendOrNotFound(HttpExchange ex, ObjectNode doc) throws IOException {
    if (doc == null) {
      throw ApiException.pathNotFound();
    }
    send(ex, 200, doc);
  }

  /**
   * Replies once everything the store holds is durable: a write's own change, and any change a read
   * may have seen. With no write pending this returns at once.
   */
  private void awaitDurable() {
    ObjectStore store = service.store();
    store.awaitDurable(store.resourceVersion());
  }

  private void send(HttpExchange ex, int code, JsonNode body) throws IOException {
    awaitDurable();
    sendNow(ex, code, body);
  }

  private static void sendNow(HttpExchange ex, int code, JsonNode body) throws IOException {
    byte[] b = Json.bytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(code, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  private static void sendText(HttpExchange ex, int code, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(code, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }
}
