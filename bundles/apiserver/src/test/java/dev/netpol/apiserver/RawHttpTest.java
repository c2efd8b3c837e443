package dev.netpol.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protocol details checked on the wire: Status bodies, media types, resourceVersion and watch
 * semantics.
 */
class RawHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir static Path dir;
  private static EmbeddedApiServer server;
  private static String url;

  @BeforeAll
  static void start() throws Exception {
    server = new EmbeddedApiServer();
    url = server.start("127.0.0.1", 0, dir);
    assertEquals(
        201,
        send("POST", "/api/v1/namespaces", "application/json", "{\"metadata\":{\"name\":\"raw\"}}")
            .statusCode());
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  static HttpResponse<String> send(String method, String path, String contentType, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  static String cm(String name, String rv) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\""
        + name
        + "\""
        + (rv == null ? "" : ",\"resourceVersion\":\"" + rv + "\"")
        + "},\"data\":{\"k\":\""
        + name
        + rv
        + "\"}}";
  }

  @Test
  void errorsAreStatusObjects() throws Exception {
    HttpResponse<String> missing =
        send("GET", "/api/v1/namespaces/raw/configmaps/nope", null, null);
    assertEquals(404, missing.statusCode());
    JsonNode s = json(missing);
    assertEquals("Status", s.path("kind").asText());
    assertEquals("NotFound", s.path("reason").asText());
    assertEquals("configmaps \"nope\" not found", s.path("message").asText());
    assertEquals(404, s.path("code").asInt());
    assertEquals(404, send("GET", "/apis/nope.example.com/v1/things", null, null).statusCode());
    assertEquals(
        "NotFound", json(send("GET", "/swagger.json", null, null)).path("reason").asText());
    // an OpenAPI v2 document without definitions (kubectl validates List items against it)
    assertEquals("2.0", json(send("GET", "/openapi/v2", null, null)).path("swagger").asText());

    assertEquals(
        201,
        send("POST", "/api/v1/namespaces/raw/configmaps", "application/json", cm("dup", null))
            .statusCode());
    HttpResponse<String> dup =
        send("POST", "/api/v1/namespaces/raw/configmaps", "application/json", cm("dup", null));
    assertEquals(409, dup.statusCode());
    assertEquals("AlreadyExists", json(dup).path("reason").asText());

    HttpResponse<String> invalid =
        send(
            "POST",
            "/apis/networking.k8s.io/v1/namespaces/raw/networkpolicies",
            "application/json",
            "{\"metadata\":{\"name\":\"x\"},\"spec\":{\"podSelector\":{},\"policyTypes\":[\"Up\"]}}");
    assertEquals(422, invalid.statusCode());
    JsonNode cause = json(invalid).path("details").path("causes").get(0);
    assertEquals("spec.policyTypes[0]", cause.path("field").asText());
    assertEquals("FieldValueNotSupported", cause.path("reason").asText());
  }

  @Test
  void protobufIsRefusedWith415() throws Exception {
    HttpResponse<String> r =
        send(
            "POST",
            "/api/v1/namespaces/raw/configmaps",
            "application/vnd.kubernetes.protobuf",
            "k8s\0");
    assertEquals(415, r.statusCode());
    assertEquals("UnsupportedMediaType", json(r).path("reason").asText());
  }

  @Test
  void resourceVersionsAndConflicts() throws Exception {
    JsonNode created =
        json(send("POST", "/api/v1/namespaces/raw/configmaps", "application/json", cm("rv", null)));
    String rv1 = created.at("/metadata/resourceVersion").asText();
    JsonNode list = json(send("GET", "/api/v1/namespaces/raw/configmaps", null, null));
    assertEquals("ConfigMapList", list.path("kind").asText());
    assertTrue(
        Long.parseLong(list.at("/metadata/resourceVersion").asText()) >= Long.parseLong(rv1));
    HttpResponse<String> ok =
        send("PUT", "/api/v1/namespaces/raw/configmaps/rv", "application/json", cm("rv", rv1));
    assertEquals(200, ok.statusCode());
    String rv2 = json(ok).at("/metadata/resourceVersion").asText();
    assertTrue(Long.parseLong(rv2) > Long.parseLong(rv1));
    HttpResponse<String> stale =
        send("PUT", "/api/v1/namespaces/raw/configmaps/rv", "application/json", cm("rv", rv1));
    assertEquals(409, stale.statusCode());
    assertEquals("Conflict", json(stale).path("reason").asText());
    HttpResponse<String> same =
        send(
            "PUT",
            "/api/v1/namespaces/raw/configmaps/rv",
            "application/json",
            cm("rv", rv2).replace("rv" + rv2 + "\"}}", "rv" + rv1 + "\"}}"));
    assertEquals(
        rv2,
        json(same).at("/metadata/resourceVersion").asText(),
        "a no-op update keeps the resourceVersion");
  }

  @Test
  void dryRunStoresNothing() throws Exception {
    HttpResponse<String> r =
        send(
            "POST",
            "/api/v1/namespaces/raw/configmaps?dryRun=All",
            "application/json",
            cm("dry", null));
    assertEquals(201, r.statusCode());
    assertEquals(
        404, send("GET", "/api/v1/namespaces/raw/configmaps/dry", null, null).statusCode());
  }

  @Test
  void finalizersDelayDeletion() throws Exception {
    send(
        "POST",
        "/api/v1/namespaces/raw/configmaps",
        "application/json",
        "{\"metadata\":{\"name\":\"fin\",\"finalizers\":[\"example.com/hold\"]}}");
    JsonNode marked = json(send("DELETE", "/api/v1/namespaces/raw/configmaps/fin", null, null));
    assertFalse(marked.at("/metadata/deletionTimestamp").isMissingNode());
    assertEquals(
        200, send("GET", "/api/v1/namespaces/raw/configmaps/fin", null, null).statusCode());
    send(
        "PATCH",
        "/api/v1/namespaces/raw/configmaps/fin",
        "application/merge-patch+json",
        "{\"metadata\":{\"finalizers\":null}}");
    assertEquals(
        404, send("GET", "/api/v1/namespaces/raw/configmaps/fin", null, null).statusCode());
  }

  @Test
  void watchFromResourceVersionSendsOnlyLaterEvents() throws Exception {
    send("POST", "/api/v1/namespaces/raw/configmaps", "application/json", cm("w-old", null));
    String rv =
        json(send("GET", "/api/v1/namespaces/raw/configmaps", null, null))
            .at("/metadata/resourceVersion")
            .asText();
    send("POST", "/api/v1/namespaces/raw/configmaps", "application/json", cm("w-new", null));
    send("DELETE", "/api/v1/namespaces/raw/configmaps/w-new", null, null);
    List<String> events =
        watch(
            "/api/v1/namespaces/raw/configmaps?watch=true&timeoutSeconds=1&resourceVersion="
                + rv
                + "&fieldSelector=metadata.name%3Dw-new");
    assertEquals(List.of("ADDED w-new", "DELETED w-new"), events);
    List<String> fromNow =
        watch("/api/v1/namespaces/raw/configmaps?watch=1&timeoutSeconds=1&labelSelector=none%3Dx");
    assertEquals(List.of(), fromNow);
    List<String> initial =
        watch(
            "/api/v1/namespaces/raw/configmaps?watch=1&timeoutSeconds=1&fieldSelector=metadata.name%3Dw-old");
    assertEquals(
        List.of("ADDED w-old"), initial, "without a resourceVersion the current state comes first");
  }

  @Test
  void idleWatchesGetBookmarksWhenAllowed() throws Exception {
    String rv =
        json(send("GET", "/api/v1/namespaces/raw/configmaps", null, null))
            .at("/metadata/resourceVersion")
            .asText();
    List<String> events =
        watch(
            "/api/v1/namespaces/raw/configmaps?watch=1&timeoutSeconds=7&allowWatchBookmarks=true&resourceVersion="
                + rv
                + "&fieldSelector=metadata.name%3Dnothing-here");
    assertTrue(events.contains("BOOKMARK "), events.toString());
  }

  private static List<String> watch(String path) throws Exception {
    HttpResponse<java.io.InputStream> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url + path)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    List<String> out = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        JsonNode e = JSON.readTree(line);
        out.add(e.path("type").asText() + " " + e.at("/object/metadata/name").asText());
      }
    }
    return out;
  }

  @Test
  void discoveryAndOpenApi() throws Exception {
    JsonNode groups = json(send("GET", "/apis", null, null));
    assertEquals("APIGroupList", groups.path("kind").asText());
    JsonNode core = json(send("GET", "/api/v1", null, null));
    assertTrue(core.toString().contains("\"pods/status\""));
    JsonNode root = json(send("GET", "/openapi/v3", null, null));
    String np = root.at("/paths/apis~1networking.k8s.io~1v1/serverRelativeURL").asText();
    assertTrue(np.startsWith("/openapi/v3/apis/networking.k8s.io/v1?hash="), np);
    JsonNode doc = json(send("GET", np, null, null));
    JsonNode patch =
        doc.at(
            "/paths/~1apis~1networking.k8s.io~1v1~1namespaces~1{namespace}~1networkpolicies~1{name}/patch");
    assertEquals("NetworkPolicy", patch.at("/x-kubernetes-group-version-kind/kind").asText());
    assertTrue(patch.path("parameters").toString().contains("fieldValidation"));
    assertEquals("v1.32.0", json(send("GET", "/version", null, null)).path("gitVersion").asText());
    assertEquals("ok", send("GET", "/livez", null, null).body());
  }
}
