package dev.netpol.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input gets a clear 4xx whose message names the problem (the field, where there is one) and
 * changes nothing: after each refused request the resourceVersion is where it was and the object is
 * not there (or unchanged).
 */
class BadInputTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final String CMS = "/api/v1/namespaces/bad/configmaps";
  @TempDir static Path dir;
  private static EmbeddedApiServer server;
  private static String url;

  @BeforeAll
  static void start() throws Exception {
    server = new EmbeddedApiServer();
    url = server.start("127.0.0.1", 0, dir);
    assertEquals(
        201,
        send("POST", "/api/v1/namespaces", "application/json", "{\"metadata\":{\"name\":\"bad\"}}")
            .statusCode());
    assertEquals(201, send("POST", CMS, "application/json", cm("exists", "")).statusCode());
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

  private static String cm(String name, String metaExtra) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\""
        + name
        + "\""
        + metaExtra
        + "},\"data\":{\"k\":\"v\"}}";
  }

  private static String rv() throws Exception {
    return JSON.readTree(send("GET", CMS, null, null).body())
        .at("/metadata/resourceVersion")
        .asText();
  }

  /**
   * Sends the request and checks: the code, the reason, a message containing each of parts, the
   * resourceVersion unchanged, and (when absent is given) that object still missing.
   */
  private static JsonNode refused(
      int code,
      String reason,
      String absent,
      String method,
      String path,
      String contentType,
      String body,
      String... parts)
      throws Exception {
    String before = rv();
    HttpResponse<String> r = send(method, path, contentType, body);
    assertEquals(code, r.statusCode(), r.body());
    JsonNode status = JSON.readTree(r.body());
    assertEquals("Status", status.path("kind").asText(), r.body());
    assertEquals(reason, status.path("reason").asText(), r.body());
    for (String p : parts) {
      assertTrue(status.path("message").asText().contains(p), "'" + p + "' in " + r.body());
    }
    assertEquals(before, rv(), "a refused request changed the store");
    if (absent != null) {
      assertEquals(404, send("GET", CMS + "/" + absent, null, null).statusCode(), absent);
    }
    return status;
  }

  @Test
  void deeplyNestedBodiesAreRefusedBeforeParsingThem() throws Exception {
    String deep = "{\"x\":".repeat(5000) + "1" + "}".repeat(5000);
    refused(
        400,
        "BadRequest",
        "deep",
        "POST",
        CMS,
        "application/json",
        "{\"metadata\":{\"name\":\"deep\"},\"data\":" + deep + "}",
        "deeper than 200 levels");
    refused(
        400,
        "BadRequest",
        "deep",
        "POST",
        CMS,
        "application/yaml",
        "metadata: {name: deep}\ndata: " + "[".repeat(5000) + "]".repeat(5000) + "\n",
        "deeper than 200 levels");
    refused(
        400,
        "BadRequest",
        null,
        "PATCH",
        CMS + "/exists",
        "application/merge-patch+json",
        "{\"data\":" + deep + "}",
        "deeper than 200 levels");
    // 150 levels is a lot, but allowed
    String ok = "{\"x\":".repeat(150) + "1" + "}".repeat(150);
    HttpResponse<String> r =
        send(
            "POST",
            "/api/v1/namespaces/bad/configmaps",
            "application/json",
            "{\"metadata\":{\"name\":\"deep-ok\",\"annotations\":{\"a\":\"b\"}},\"extra\":"
                + ok
                + "}");
    assertEquals(201, r.statusCode(), r.body());
  }

  @Test
  void labelsAndAnnotationsFollowKubernetesLimits() throws Exception {
    String longValue = "v".repeat(64);
    refused(
        422,
        "Invalid",
        "lbl",
        "POST",
        CMS,
        "application/json",
        cm("lbl", ",\"labels\":{\"app\":\"" + longValue + "\"}"),
        "metadata.labels: Invalid value: \""
            + longValue
            + "\": must be no more than 63 characters");
    refused(
        422,
        "Invalid",
        "lbl",
        "POST",
        CMS,
        "application/json",
        cm("lbl", ",\"labels\":{\"bad key!\":\"x\"}"),
        "metadata.labels: Invalid value: \"bad key!\": name part must consist of");
    refused(
        422,
        "Invalid",
        "lbl",
        "POST",
        CMS,
        "application/json",
        cm("lbl", ",\"labels\":{\"Example.com/app\":\"x\"}"),
        "metadata.labels",
        "prefix part a lowercase RFC 1123 subdomain");
    refused(
        422,
        "Invalid",
        "lbl",
        "POST",
        CMS,
        "application/json",
        cm("lbl", ",\"labels\":{\"app\":\"-x\"}"),
        "metadata.labels: Invalid value: \"-x\": a valid label must be an empty string");
    String big = "a".repeat(300 * 1024);
    refused(
        422,
        "Invalid",
        "ann",
        "POST",
        CMS,
        "application/json",
        cm("ann", ",\"annotations\":{\"note\":\"" + big + "\"}"),
        "metadata.annotations: Too long: may not be more than 262144 bytes");
    // the same through a patch of an existing object: refused, the object unchanged
    refused(
        422,
        "Invalid",
        null,
        "PATCH",
        CMS + "/exists",
        "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"app\":\"" + longValue + "\"}}}",
        "metadata.labels");
    refused(
        400,
        "BadRequest",
        "lbl",
        "POST",
        CMS,
        "application/json",
        cm("lbl", ",\"labels\":{\"app\":1}"),
        "metadata.labels.app must be a string, not number");
    // the largest legal annotation and label value pass
    String fits = "a".repeat(200 * 1024);
    assertEquals(
        201,
        send(
                "POST",
                CMS,
                "application/json",
                cm(
                    "fits",
                    ",\"annotations\":{\"example.com/note\":\""
                        + fits
                        + "\"},\"labels\":{\"app\":\""
                        + "v".repeat(63)
                        + "\"}"))
            .statusCode());
  }

  @Test
  void bodiesOverThreeMebibytesGet413() throws Exception {
    String huge = cm("huge", ",\"annotations\":{\"a\":\"" + "x".repeat(3 << 20) + "\"}");
    refused(
        413,
        "RequestEntityTooLarge",
        "huge",
        "POST",
        CMS,
        "application/json",
        huge,
        "Request entity too large: limit is 3145728");
    // without a Content-Length (chunked), the limit holds while reading
    String before = rv();
    HttpRequest chunked =
        HttpRequest.newBuilder(URI.create(url + CMS))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new ByteArrayInputStream(huge.getBytes())))
            .build();
    HttpResponse<String> r = HTTP.send(chunked, HttpResponse.BodyHandlers.ofString());
    assertEquals(413, r.statusCode(), r.body());
    assertEquals(before, rv());
  }

  @Test
  void unknownGroupsVersionsAndKindsAreRefusedAsByTheRealServer() throws Exception {
    JsonNode s =
        refused(
            404,
            "NotFound",
            null,
            "POST",
            "/apis/widgets.example.com/v1/namespaces/bad/widgets",
            "application/json",
            "{\"apiVersion\":\"widgets.example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"}}",
            "the server could not find the requested resource");
    assertTrue(s.has("details"), s.toString());
    refused(
        404,
        "NotFound",
        null,
        "POST",
        "/apis/networking.k8s.io/v2/namespaces/bad/networkpolicies",
        "application/json",
        "{\"metadata\":{\"name\":\"np\"}}",
        "the server could not find the requested resource");
    refused(
        404,
        "NotFound",
        null,
        "GET",
        "/apis/widgets.example.com/v1",
        null,
        null,
        "the server could not find the requested resource");
    refused(
        400,
        "BadRequest",
        "w",
        "POST",
        CMS,
        "application/json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"}}",
        "Widget in version \"v1\" cannot be handled as a ConfigMap");
    refused(
        400,
        "BadRequest",
        "w",
        "POST",
        CMS,
        "application/json",
        "{\"apiVersion\":\"v2\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"w\"}}",
        "the API version in the data (v2) does not match the expected API version (v1)");
    refused(
        400,
        "BadRequest",
        "w",
        "POST",
        CMS,
        "application/json",
        "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[" + cm("w", "") + "]}",
        "List in version \"v1\" cannot be handled as a ConfigMap");
  }

  @Test
  void invalidNamesFollowTheRulesOfEachKind() throws Exception {
    refused(
        422,
        "Invalid",
        "Bad_Name",
        "POST",
        CMS,
        "application/json",
        cm("Bad_Name", ""),
        "ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain");
    refused(
        422,
        "Invalid",
        null,
        "POST",
        CMS,
        "application/json",
        cm("x".repeat(254), ""),
        "metadata.name",
        "must be no more than 253 characters");
    refused(
        422,
        "Invalid",
        null,
        "POST",
        "/api/v1/namespaces",
        "application/json",
        "{\"metadata\":{\"name\":\"a.b\"}}",
        "metadata.name: Invalid value: \"a.b\": a lowercase RFC 1123 label");
    refused(
        422,
        "Invalid",
        null,
        "POST",
        "/api/v1/namespaces/bad/services",
        "application/json",
        "{\"metadata\":{\"name\":\"1web\"},\"spec\":{\"ports\":[{\"port\":80}]}}",
        "metadata.name: Invalid value: \"1web\": a DNS-1035 label");
    refused(
        422,
        "Invalid",
        null,
        "POST",
        "/apis/coordination.k8s.io/v1/namespaces/bad/leases",
        "application/json",
        "{\"metadata\":{\"name\":\"..\"}}",
        "metadata.name");
  }

  @Test
  void malformedJsonAndYamlAre400WithWhereParsingStopped() throws Exception {
    refused(
        400,
        "BadRequest",
        "m",
        "POST",
        CMS,
        "application/json",
        "{\"metadata\": {\"name\": \"m\",\n \"labels\": {",
        "the request body is not valid JSON",
        "line 2");
    refused(
        400,
        "BadRequest",
        "m",
        "POST",
        CMS,
        "application/yaml",
        "metadata:\n  name: m\n   labels: [\n",
        "the request body is not valid YAML");
    refused(
        400,
        "BadRequest",
        "m",
        "POST",
        CMS,
        "application/json",
        "[1,2]",
        "must be a JSON or YAML object");
    refused(
        400,
        "BadRequest",
        "m",
        "POST",
        CMS,
        "application/json",
        "{\"metadata\":\"m\"}",
        "metadata must be an object, not string");
    refused(
        400,
        "BadRequest",
        null,
        "PATCH",
        CMS + "/exists",
        "application/json-patch+json",
        "[{\"op\":\"add\"",
        "the request body is not valid JSON");
  }
}
