package dev.netpol.bench.internal.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Plain HTTP to a Kubernetes API (the embedded one: no TLS, no credentials), from outside the
 * process that serves it: bulk loading and timed writes.
 */
public final class ApiHttp {
  private final String base;
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  public ApiHttp(String base) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  /** The API named by a kubeconfig's {@code server:}. */
  public static ApiHttp of(Path kubeconfig) {
    try {
      for (String l : Files.readAllLines(kubeconfig)) {
        String t = l.strip();
        if (t.startsWith("server:")) {
          return new ApiHttp(t.substring(7).strip().replace("\"", ""));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no server in " + kubeconfig);
  }

  /** Status code and body of one request. */
  public record Response(int status, String body) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  public Response send(String method, String path, String contentType, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (IOException e) {
      return new Response(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Response(-1, "interrupted");
    }
  }

  public Response post(String path, String json) {
    return send("POST", path, "application/json", json);
  }

  public Response mergePatch(String path, String json) {
    return send("PATCH", path, "application/merge-patch+json", json);
  }

  public Response get(String path) {
    return send("GET", path, null, null);
  }

  /**
   * Runs {@code count} requests on {@code threads} threads; each is made by {@code request} from
   * its index. Returns how many did not succeed (the first failure is thrown when all fail).
   */
  public long bulk(int count, int threads, IntFunction<Response> request) throws Exception {
    AtomicLong next = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    StringBuilder first = new StringBuilder();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        fs.add(
            pool.submit(
                () -> {
                  long i;
                  while ((i = next.getAndIncrement()) < count) {
                    Response r = request.apply((int) i);
                    if (!r.ok()) {
                      failed.incrementAndGet();
                      synchronized (first) {
                        if (first.length() == 0) {
                          first.append(r.status()).append(' ').append(r.body());
                        }
                      }
                    }
                  }
                }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    if (count > 0 && failed.get() == count) {
      throw new IllegalStateException("every request failed, e.g.: " + first);
    }
    return failed.get();
  }

  /** A watch stream: each event line goes to {@code onLine} on a thread of its own until closed. */
  public AutoCloseable watch(String path, Consumer<String> onLine) {
    HttpRequest req =
        HttpRequest.newBuilder(
                URI.create(base + path + (path.contains("?") ? "&" : "?") + "watch=true"))
            .build();
    java.util.concurrent.atomic.AtomicReference<InputStream> body =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                HttpResponse<InputStream> r =
                    client.send(req, HttpResponse.BodyHandlers.ofInputStream());
                body.set(r.body());
                try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    onLine.accept(line);
                  }
                }
              } catch (IOException | InterruptedException e) {
                // closed
              }
            },
            "bench-watch");
    t.setDaemon(true);
    t.start();
    return () -> {
      InputStream in = body.get();
      if (in != null) {
        in.close();
      }
      t.interrupt();
    };
  }
}
