package dev.netpol.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acknowledged writes survive SIGKILL: in each round, concurrent writers create, update (PUT),
 * patch and delete ConfigMaps, and create a namespace with a NetworkPolicy in it, against an API
 * server in a child JVM, which is killed at a random moment. After the restart every acknowledged
 * object is there at its acknowledged resourceVersion and content, every acknowledged delete has
 * stayed deleted, and new resourceVersions are above every acknowledged one. The log is compacted
 * often (a small threshold), so kills also land in the middle of compactions.
 */
class CrashDurabilityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROUNDS = Integer.getInteger("netpol.apiserver.crash.rounds", 20);
  private static final int WRITERS = 8;
  private static final int KEYS_PER_WRITER = 4;
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @TempDir Path dir;

  /** What a client was told about one object, and what it had sent without an answer. */
  static final class Known {
    boolean present;
    String rv;
    String value;
    String pendingOp; // "put" or "delete" while a request has no answer
    String pendingValue;
  }

  private final Map<String, Known> known = new ConcurrentHashMap<>();
  private final Map<String, String> policies = new ConcurrentHashMap<>(); // ns -> acknowledged rv
  private final List<AssertionError> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
  private long maxAckedRv;

  private Thread start(Runnable r) {
    Thread t =
        new Thread(
            () -> {
              try {
                r.run();
              } catch (AssertionError e) {
                errors.add(e);
              }
            });
    t.start();
    return t;
  }

  @Test
  void acknowledgedWritesSurviveSigkill() throws Exception {
    Path data = dir.resolve("data");
    Path log = dir.resolve("child.log");
    Random random = new Random(Long.getLong("netpol.apiserver.crash.seed", System.nanoTime()));
    ApiServerChild.Running child = ApiServerChild.start(data, 32 << 10, log);
    assertEquals(201, send(child.url(), "POST", "/api/v1/namespaces", ns("crash")).statusCode());
    int acknowledged = 0;
    for (int round = 0; round < ROUNDS; round++) {
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger acks = new AtomicInteger();
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        String url = child.url();
        long seed = random.nextLong();
        threads.add(start(() -> write(url, writer, seed, stop, acks)));
      }
      int r = round;
      String url = child.url();
      threads.add(start(() -> policy(url, r, acks)));
      Thread.sleep(50 + random.nextInt(600));
      child.kill();
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
      acknowledged += acks.get();
      if (!errors.isEmpty()) {
        throw errors.get(0);
      }
      child = ApiServerChild.start(data, 32 << 10, log);
      verify(child.url(), round);
    }
    child.kill();
    assertTrue(acknowledged > ROUNDS * 10, "too few writes were acknowledged: " + acknowledged);
  }

  /** One writer: its own keys, one request at a time, until the server dies. */
  private void write(String url, int writer, long seed, AtomicBoolean stop, AtomicInteger acks) {
    Random random = new Random(seed);
    int n = 0;
    while (!stop.get()) {
      String name = "w" + writer + "-" + random.nextInt(KEYS_PER_WRITER);
      Known k = known.computeIfAbsent(name, x -> new Known());
      String value = writer + "." + seed + "." + n++;
      try {
        HttpResponse<String> resp;
        if (!k.present) {
          k.pendingOp = "put";
          k.pendingValue = value;
          resp = send(url, "POST", "/api/v1/namespaces/crash/configmaps", cm(name, null, value));
        } else {
          switch (random.nextInt(3)) {
            case 0 -> {
              k.pendingOp = "put";
              k.pendingValue = value;
              resp =
                  send(
                      url,
                      "PUT",
                      "/api/v1/namespaces/crash/configmaps/" + name,
                      cm(name, k.rv, value));
            }
            case 1 -> {
              k.pendingOp = "put";
              k.pendingValue = value;
              resp =
                  sendPatch(
                      url,
                      "/api/v1/namespaces/crash/configmaps/" + name,
                      "{\"data\":{\"v\":\"" + value + "\"}}");
            }
            default -> {
              k.pendingOp = "delete";
              resp = send(url, "DELETE", "/api/v1/namespaces/crash/configmaps/" + name, null);
            }
          }
        }
        if (resp.statusCode() / 100 != 2) {
          fail("unexpected " + resp.statusCode() + " for " + name + ": " + resp.body());
        }
        JsonNode o = JSON.readTree(resp.body());
        synchronized (this) {
          maxAckedRv = Math.max(maxAckedRv, rv(o));
        }
        if ("delete".equals(k.pendingOp)) {
          k.present = false;
          k.rv = null;
          k.value = null;
        } else {
          k.present = true;
          k.rv = o.at("/metadata/resourceVersion").asText();
          k.value = o.at("/data/v").asText();
          assertEquals(value, k.value);
        }
        k.pendingOp = null;
        acks.incrementAndGet();
      } catch (java.io.IOException e) {
        return; // the server was killed; pendingOp stays unknown
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }

  /** The scenario: a namespace and a NetworkPolicy in it, each acknowledged. */
  private void policy(String url, int round, AtomicInteger acks) {
    String ns = "round-" + round;
    try {
      if (send(url, "POST", "/api/v1/namespaces", ns(ns)).statusCode() != 201) {
        return;
      }
      String np =
          "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"NetworkPolicy\",\"metadata\":"
              + "{\"name\":\"deny\",\"namespace\":\""
              + ns
              + "\"},\"spec\":{\"podSelector\":{}}}";
      HttpResponse<String> r =
          send(url, "POST", "/apis/networking.k8s.io/v1/namespaces/" + ns + "/networkpolicies", np);
      if (r.statusCode() == 201) {
        long v = rv(JSON.readTree(r.body()));
        policies.put(ns, Long.toString(v));
        synchronized (this) {
          maxAckedRv = Math.max(maxAckedRv, v);
        }
        acks.incrementAndGet();
      }
    } catch (Exception e) {
      // killed in between: nothing was acknowledged
    }
  }

  private void verify(String url, int round) throws Exception {
    JsonNode list =
        JSON.readTree(send(url, "GET", "/api/v1/namespaces/crash/configmaps", null).body());
    Map<String, JsonNode> actual = new HashMap<>();
    list.path("items").forEach(o -> actual.put(o.at("/metadata/name").asText(), o));
    for (Map.Entry<String, Known> e : known.entrySet()) {
      Known k = e.getValue();
      JsonNode o = actual.get(e.getKey());
      String where = "round " + round + ", " + e.getKey();
      boolean asAcked =
          k.present
              ? o != null
                  && k.rv.equals(o.at("/metadata/resourceVersion").asText())
                  && k.value.equals(o.at("/data/v").asText())
              : o == null;
      boolean asPending =
          "put".equals(k.pendingOp)
              ? o != null
                  && k.pendingValue.equals(o.at("/data/v").asText())
                  && (k.rv == null || rv(o) > Long.parseLong(k.rv))
              : "delete".equals(k.pendingOp) && o == null;
      if (!asAcked && !asPending) {
        fail(
            where
                + ": acknowledged "
                + (k.present ? "rv " + k.rv + " value " + k.value : "deleted")
                + ", unanswered "
                + k.pendingOp
                + " "
                + k.pendingValue
                + ", found "
                + o);
      }
      // from now on the server's state is the known state
      k.present = o != null;
      k.rv = o == null ? null : o.at("/metadata/resourceVersion").asText();
      k.value = o == null ? null : o.at("/data/v").asText();
      k.pendingOp = null;
    }
    for (Map.Entry<String, String> p : policies.entrySet()) {
      HttpResponse<String> r =
          send(
              url,
              "GET",
              "/apis/networking.k8s.io/v1/namespaces/" + p.getKey() + "/networkpolicies/deny",
              null);
      assertEquals(200, r.statusCode(), "round " + round + ": policy in " + p.getKey());
      assertEquals(p.getValue(), JSON.readTree(r.body()).at("/metadata/resourceVersion").asText());
    }
    HttpResponse<String> marker =
        send(url, "POST", "/api/v1/namespaces/crash/configmaps", cm("marker-" + round, null, "m"));
    assertEquals(201, marker.statusCode(), marker.body());
    long next = rv(JSON.readTree(marker.body()));
    assertTrue(
        next > maxAckedRv,
        "round " + round + ": new resourceVersion " + next + " after acknowledged " + maxAckedRv);
  }

  private static long rv(JsonNode o) {
    return Long.parseLong(o.at("/metadata/resourceVersion").asText());
  }

  private static String ns(String name) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\""
        + name
        + "\"}}";
  }

  private static String cm(String name, String rv, String value) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\""
        + name
        + "\""
        + (rv == null ? "" : ",\"resourceVersion\":\"" + rv + "\"")
        + "},\"data\":{\"v\":\""
        + value
        + "\"}}";
  }

  private static HttpResponse<String> send(String url, String method, String path, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(20));
    b.header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> sendPatch(String url, String path, String body)
      throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(url + path))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/merge-patch+json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(body))
            .build();
    return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
  }
}
