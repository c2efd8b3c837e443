package dev.netpol.itests.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A running node's bundles as an operator handles them in the Felix Web Console's Bundles page: its
 * JSON list and its stop/start actions (a POST with the page's CSRF token, as the page's own script
 * sends it).
 */
final class WebConsoleBundles {
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;
  private final String authorization;

  WebConsoleBundles(int port, String password) {
    this.base = "http://127.0.0.1:" + port + "/system/console/";
    this.authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** The bundle's state as the console names it ("Active", "Resolved", ...). */
  String state(String symbolicName) throws IOException, InterruptedException {
    return find(symbolicName).path("state").asText();
  }

  void stop(String symbolicName) throws IOException, InterruptedException {
    action(symbolicName, "stop");
  }

  void start(String symbolicName) throws IOException, InterruptedException {
    action(symbolicName, "start");
  }

  private void action(String symbolicName, String action) throws IOException, InterruptedException {
    long id = find(symbolicName).path("id").asLong();
    HttpResponse<String> r =
        http.send(
            request("bundles/" + id)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Netpol-CSRF", token())
                .POST(HttpRequest.BodyPublishers.ofString("action=" + action))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          action + " " + symbolicName + ": HTTP " + r.statusCode() + " " + r.body());
    }
  }

  private JsonNode find(String symbolicName) throws IOException, InterruptedException {
    String json = get("bundles.json");
    for (JsonNode b : new ObjectMapper().readTree(json).path("data")) {
      if (symbolicName.equals(b.path("symbolicName").asText())) {
        return b;
      }
    }
    throw new IllegalStateException("no bundle " + symbolicName + " in the console's list");
  }

  private String token() throws IOException, InterruptedException {
    Matcher m = Pattern.compile("var t='([A-Za-z0-9_-]+)'").matcher(get("bundles"));
    if (!m.find()) {
      throw new IllegalStateException("no CSRF token in the console's Bundles page");
    }
    return m.group(1);
  }

  private String get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + ": HTTP " + r.statusCode());
    }
    return r.body();
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", authorization);
  }
}
