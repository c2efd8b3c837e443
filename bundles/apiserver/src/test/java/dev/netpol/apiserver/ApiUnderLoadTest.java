package dev.netpol.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 50 concurrent clients for 60 s ({@code -Dnetpol.apiserver.load.seconds}) against one server with
 * durable writes, a small watch history (so resuming watches get 410 Gone) and a small per-watch
 * queue: 31 writers create, update, patch (merge, JSON, strategic) and delete their own ConfigMaps;
 * 10 increment shared counters by read-modify-write (no update may be lost; stale writes get 409);
 * 8 watchers keep a cache by watch events (every event in order, or 410 and a relist), which must
 * equal the final state; 1 watcher does not read at all and must be ended by the server, whose
 * watch history stays within its window. Throughput is not asserted here (see bin/netpol bench).
 */
class ApiUnderLoadTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SECONDS = Integer.getInteger("netpol.apiserver.load.seconds", 60);
  private static final int HISTORY = 500;
  private static final int QUEUE = 100;
  private static final int CHURNERS = 31;
  private static final int INCREMENTERS = 10;
  private static final int COUNTERS = 3;
  private static final int WATCHERS = 8;
  private static final String NS = "/api/v1/namespaces/load/configmaps";

  @TempDir Path dir;
  private EmbeddedApiServer server;
  private String url;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();

  @AfterEach
  void close() {
    stop.set(true);
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void fiftyClientsLoseNoUpdateAndEveryWatcherSeesEveryEventOrRelists() throws Exception {
    server =
        new EmbeddedApiServer(
            new EmbeddedApiServer.Options(Duration.ZERO, 1 << 20, HISTORY, QUEUE));
    url = server.start("127.0.0.1", 0, dir);
    assertEquals(201, send("POST", "/api/v1/namespaces", "application/json", ns()).statusCode());
    for (int c = 0; c < COUNTERS; c++) {
      assertEquals(
          201, send("POST", NS, "application/json", cm("counter-" + c, null, "0")).statusCode());
    }
    List<Thread> threads = new ArrayList<>();
    List<Thread> watching = new ArrayList<>();
    List<Watcher> watchers = new ArrayList<>();
    for (int i = 0; i < WATCHERS; i++) {
      Watcher w = new Watcher(i);
      watchers.add(w);
      watching.add(start("watcher-" + i, w::run));
    }
    long[] successes = new long[COUNTERS];
    AtomicLong conflicts = new AtomicLong();
    AtomicLong writes = new AtomicLong();
    for (int i = 0; i < INCREMENTERS; i++) {
      int n = i;
      threads.add(start("incrementer-" + i, () -> increment(n, successes, conflicts)));
    }
    for (int i = 0; i < CHURNERS; i++) {
      int n = i;
      threads.add(start("churner-" + i, () -> churn(n, writes)));
    }
    SlowWatcher slow = new SlowWatcher();
    threads.add(start("slow-watcher", slow::open));

    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
    int maxHistory = 0;
    while (System.nanoTime() < end && errors.isEmpty()) {
      Thread.sleep(200);
      maxHistory = Math.max(maxHistory, server.stats().watchHistory());
    }
    stop.set(true);
    join(threads);

    // the last write fences the watchers: each stops once it has seen it
    HttpResponse<String> fence = send("POST", NS, "application/json", cm("fence", null, "f"));
    assertEquals(201, fence.statusCode(), fence.body());
    long fenceRv = rv(JSON.readTree(fence.body()));
    watchers.forEach(w -> w.fence = fenceRv);
    join(watching);
    if (!errors.isEmpty()) {
      throw new AssertionError(
          errors.size() + " errors, the first: " + errors.get(0), errors.get(0));
    }

    // no lost update: each counter holds exactly the number of acknowledged increments
    for (int c = 0; c < COUNTERS; c++) {
      JsonNode o = JSON.readTree(send("GET", NS + "/counter-" + c, null, null).body());
      assertEquals(successes[c], o.at("/data/v").asLong(), "counter-" + c);
    }
    assertTrue(conflicts.get() > 0, "concurrent read-modify-writes never conflicted");

    // every watcher's cache, built from events alone (and relists after 410), is the final state
    JsonNode list = JSON.readTree(send("GET", NS, null, null).body());
    Map<String, String> finalState = new TreeMap<>();
    list.path("items")
        .forEach(o -> finalState.put(name(o), o.at("/metadata/resourceVersion").asText()));
    long gone = 0;
    for (Watcher w : watchers) {
      assertEquals(finalState, w.cache, "watcher " + w.id + "'s cache");
      assertTrue(w.events > 0, "watcher " + w.id + " saw no event");
      gone += w.gone;
    }
    assertTrue(gone > 0, "no watcher was ever sent 410 Gone: the test did not reach the window");

    // memory: the history stayed within its window, and the watcher that read nothing was ended
    assertTrue(maxHistory <= HISTORY, "watch history grew to " + maxHistory);
    assertTrue(server.stats().slowWatchesEnded() >= 1, "the slow watcher was never ended");
    slow.drain();
    assertTrue(slow.ended, "the slow watcher's stream did not end");
    System.out.printf(
        "load: %d churn writes, %d conflicts, %d watch relists after 410, %d fsyncs%n",
        writes.get(), conflicts.get(), gone, server.stats().fsyncs());
  }

  private static void join(List<Thread> threads) throws InterruptedException {
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(60));
      assertTrue(!t.isAlive(), t.getName() + " did not finish");
    }
  }

  private Thread start(String name, ThrowingRunnable r) {
    Thread t =
        new Thread(
            () -> {
              try {
                r.run();
              } catch (Throwable e) {
                errors.add(new AssertionError(Thread.currentThread().getName() + ": " + e, e));
              }
            },
            name);
    t.start();
    return t;
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** Read-modify-write of shared counters with the read resourceVersion; 409 means read again. */
  private void increment(int n, long[] successes, AtomicLong conflicts) throws Exception {
    Random random = new Random(n);
    while (!stop.get()) {
      int c = random.nextInt(COUNTERS);
      JsonNode o = JSON.readTree(send("GET", NS + "/counter-" + c, null, null).body());
      String rv = o.at("/metadata/resourceVersion").asText();
      long v = o.at("/data/v").asLong();
      HttpResponse<String> r =
          send(
              "PUT",
              NS + "/counter-" + c,
              "application/json",
              cm("counter-" + c, rv, Long.toString(v + 1)));
      if (r.statusCode() == 200) {
        synchronized (successes) {
          successes[c]++;
        }
      } else if (r.statusCode() == 409) {
        conflicts.incrementAndGet();
        assertEquals("Conflict", JSON.readTree(r.body()).path("reason").asText());
      } else {
        throw new AssertionError("PUT counter-" + c + ": " + r.statusCode() + " " + r.body());
      }
      // the same stale resourceVersion again must conflict now
      if (r.statusCode() == 200) {
        HttpResponse<String> stale =
            send("PUT", NS + "/counter-" + c, "application/json", cm("counter-" + c, rv, "-1"));
        assertEquals(
            409, stale.statusCode(), "a PUT with a stale resourceVersion: " + stale.body());
      }
    }
  }

  /** Creates, updates, patches (three kinds) and deletes its own ConfigMaps. */
  private void churn(int n, AtomicLong writes) throws Exception {
    Random random = new Random(1000 + n);
    Map<String, String> mine = new TreeMap<>(); // name -> rv
    int seq = 0;
    while (!stop.get()) {
      String name = "c" + n + "-" + random.nextInt(6);
      String rv = mine.get(name);
      HttpResponse<String> r;
      String value = Integer.toString(seq++);
      if (rv == null) {
        r = send("POST", NS, "application/json", cm(name, null, value));
        expect(201, r, "create " + name);
      } else {
        switch (random.nextInt(5)) {
          case 0 -> r = send("PUT", NS + "/" + name, "application/json", cm(name, rv, value));
          case 1 ->
              r =
                  send(
                      "PATCH",
                      NS + "/" + name,
                      "application/merge-patch+json",
                      "{\"data\":{\"v\":\"" + value + "\"}}");
          case 2 ->
              r =
                  send(
                      "PATCH",
                      NS + "/" + name,
                      "application/json-patch+json",
                      "[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\""
                          + rv
                          + "\"},{\"op\":\"replace\",\"path\":\"/data/v\",\"value\":\""
                          + value
                          + "\"}]");
          case 3 ->
              r =
                  send(
                      "PATCH",
                      NS + "/" + name,
                      "application/strategic-merge-patch+json",
                      "{\"metadata\":{\"labels\":{\"n\":\"" + value + "\"}}}");
          default -> r = send("DELETE", NS + "/" + name, null, null);
        }
        expect(200, r, name);
      }
      writes.incrementAndGet();
      JsonNode o = JSON.readTree(r.body());
      if (o.path("kind").asText().equals("Status") || r.request().method().equals("DELETE")) {
        mine.remove(name);
      } else {
        mine.put(name, o.at("/metadata/resourceVersion").asText());
      }
    }
  }

  private static void expect(int code, HttpResponse<String> r, String what) {
    if (r.statusCode() != code) {
      throw new AssertionError(what + ": " + r.statusCode() + " " + r.body());
    }
  }

  /**
   * Keeps a cache by list + watch, as an informer does, and checks each event against it: ADDED
   * only for an object it does not have, MODIFIED and DELETED only for one it has, resourceVersions
   * rising. On 410 Gone it relists. Sometimes it pauses before resuming, so that it falls out of
   * the history window.
   */
  private final class Watcher {
    final int id;
    final Map<String, String> cache = new TreeMap<>();
    volatile long fence = Long.MAX_VALUE;
    long lastRv;
    long events;
    long gone;
    final Random random;

    Watcher(int id) {
      this.id = id;
      this.random = new Random(id);
    }

    void run() throws Exception {
      relist();
      while (lastRv < fence) {
        if (!stop.get() && random.nextInt(4) == 0) {
          Thread.sleep(1500); // fall behind
        }
        watchOnce();
      }
    }

    void relist() throws Exception {
      JsonNode list = JSON.readTree(send("GET", NS, null, null).body());
      cache.clear();
      list.path("items")
          .forEach(o -> cache.put(name(o), o.at("/metadata/resourceVersion").asText()));
      lastRv = Long.parseLong(list.at("/metadata/resourceVersion").asText());
    }

    void watchOnce() throws Exception {
      HttpRequest req =
          HttpRequest.newBuilder(
                  URI.create(
                      url
                          + NS
                          + "?watch=true&allowWatchBookmarks=true&timeoutSeconds="
                          + (2 + random.nextInt(5))
                          + "&resourceVersion="
                          + lastRv))
              .build();
      HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, r.statusCode());
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          JsonNode e = JSON.readTree(line);
          String type = e.path("type").asText();
          JsonNode o = e.path("object");
          if (type.equals("ERROR")) {
            assertEquals(410, o.path("code").asInt(), line);
            assertEquals("Expired", o.path("reason").asText(), line);
            gone++;
            relist();
            return;
          }
          long rv = rv(o);
          if (type.equals("BOOKMARK")) {
            assertTrue(rv >= lastRv, "bookmark " + rv + " after " + lastRv);
            lastRv = rv;
            if (lastRv >= fence) {
              return;
            }
            continue;
          }
          assertTrue(rv > lastRv, type + " at " + rv + " after " + lastRv);
          String name = name(o);
          String had = cache.get(name);
          switch (type) {
            case "ADDED" -> {
              assertEquals(null, had, "ADDED " + name + " at " + rv + " but it was cached");
              cache.put(name, Long.toString(rv));
            }
            case "MODIFIED" -> {
              assertTrue(had != null, "MODIFIED " + name + " at " + rv + " but it was not cached");
              cache.put(name, Long.toString(rv));
            }
            case "DELETED" -> {
              assertTrue(had != null, "DELETED " + name + " at " + rv + " but it was not cached");
              cache.remove(name);
            }
            default -> throw new AssertionError("unexpected event " + line);
          }
          lastRv = rv;
          events++;
          if (lastRv >= fence) {
            return;
          }
        }
      }
    }
  }

  /**
   * Opens a watch on a socket with a small receive buffer and reads nothing until the end; the
   * server must end it.
   */
  private final class SlowWatcher {
    volatile java.net.Socket socket;
    volatile boolean ended;

    void open() throws Exception {
      URI u = URI.create(url);
      java.net.Socket s = new java.net.Socket();
      s.setReceiveBufferSize(4096);
      s.connect(new java.net.InetSocketAddress(u.getHost(), u.getPort()));
      s.getOutputStream()
          .write(
              ("GET " + NS + "?watch=true HTTP/1.1\r\nHost: " + u.getAuthority() + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      socket = s;
    }

    /** Reads what is left; the stream must end with the last chunk (the server ended it). */
    void drain() throws IOException {
      socket.setSoTimeout(30_000);
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[1 << 16];
      StringBuilder tail = new StringBuilder();
      int n;
      while ((n = in.read(buf)) >= 0) {
        tail.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        if (tail.length() > 16) {
          tail.delete(0, tail.length() - 16);
        }
        if (tail.toString().endsWith("\r\n0\r\n\r\n")) {
          ended = true;
          break;
        }
      }
      socket.close();
    }
  }

  private HttpResponse<String> send(String method, String path, String contentType, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String name(JsonNode o) {
    return o.at("/metadata/name").asText();
  }

  private static long rv(JsonNode o) {
    return Long.parseLong(o.at("/metadata/resourceVersion").asText());
  }

  private static String ns() {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"load\"}}";
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
}
