package dev.netpol.metrics.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.Setting;
import dev.netpol.platform.guice.Settings;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint of this container's metrics and health: {@code /metrics} (Prometheus text
 * format), {@code /healthz} and {@code /livez} (liveness), {@code /readyz} (readiness). No
 * credentials, so it binds to loopback unless told otherwise.
 */
final class MetricsServer implements Managed {
  static final Setting<java.util.Optional<InetSocketAddress>> ADDRESS =
      Setting.address(
          "netpol.metrics.address",
          "127.0.0.1:9969",
          "host:port of /metrics, /healthz, /livez and /readyz (a busy port falls back to a free"
              + " one, logged; port 0 picks one; empty turns the endpoint off)");
  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
  private final Settings settings;
  private final StatusSources sources;
  private HttpServer server;
  private ExecutorService executor;
  private Health health;
  private MetricsHandler handler;
  private java.util.concurrent.CompletableFuture<InetSocketAddress> started;

  @Inject
  MetricsServer(Settings settings, StatusSources sources) {
    this.settings = settings;
    this.sources = sources;
  }

  /**
   * Binds in the background: the JVM instrumentation and the HTTP server take a few hundred ms of
   * CPU that the container's start (and the agent's first sync) should not wait for.
   */
  @Override
  public void start() {
    InetSocketAddress wanted = settings.get(ADDRESS).orElse(null);
    if (wanted == null) {
      LOG.info("metrics endpoint off (netpol.metrics.address is empty)");
      return;
    }
    executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "netpol-metrics");
              t.setDaemon(true);
              return t;
            });
    started = new java.util.concurrent.CompletableFuture<>();
    executor.execute(
        () -> {
          try {
            serve(wanted);
            started.complete(server.getAddress());
          } catch (IOException | RuntimeException e) {
            LOG.error("metrics endpoint not started on {}: {}", describe(wanted), e.getMessage());
            started.completeExceptionally(e);
          }
        });
  }

  private synchronized void serve(InetSocketAddress wanted) throws IOException {
    health = new Health(sources);
    server = bind(wanted);
    server.setExecutor(executor);
    server.createContext("/metrics", x -> metrics().handle(x));
    server.createContext("/healthz", x -> answer(x, health.liveness()));
    server.createContext("/livez", x -> answer(x, health.liveness()));
    server.createContext("/readyz", x -> answer(x, readiness()));
    server.start();
    LOG.info(
        "metrics at http://{}/metrics, health at /healthz and /readyz",
        describe(server.getAddress()));
  }

  /**
   * The Prometheus registry and its handler, made at the first scrape: the client's JVM
   * instrumentation loads a few hundred classes that a starting container does not need yet.
   */
  private synchronized MetricsHandler metrics() {
    if (handler == null) {
      PrometheusRegistry registry = new PrometheusRegistry();
      registry.register(new NetpolCollector(sources));
      JvmMetrics.builder().register(registry);
      handler = new MetricsHandler(registry);
    }
    return handler;
  }

  /** The requested address, or a free port on the same host when that port is taken. */
  private static HttpServer bind(InetSocketAddress wanted) throws IOException {
    try {
      return HttpServer.create(wanted, 0);
    } catch (BindException e) {
      LOG.warn(
          "netpol.metrics.address {}: {}; using a free port on {} instead",
          describe(wanted),
          e.getMessage(),
          wanted.getHostString());
      return HttpServer.create(new InetSocketAddress(wanted.getAddress(), 0), 0);
    }
  }

  private Health.Verdict readiness() {
    try {
      return health.readiness();
    } catch (RuntimeException e) {
      return new Health.Verdict(false, "not ready: status unreadable: " + e);
    }
  }

  private static void answer(HttpExchange x, Health.Verdict v) throws IOException {
    byte[] body = (v.detail() + "\n").getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    x.sendResponseHeaders(v.ok() ? 200 : 503, body.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(body);
    }
  }

  /** Where the endpoint listens once started (waits for the start), or null when it is off. */
  InetSocketAddress address() {
    if (started == null) {
      return null;
    }
    try {
      return started.get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("metrics endpoint did not start: " + e.getMessage(), e);
    }
  }

  private static String describe(InetSocketAddress a) {
    String host = a.getHostString();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  @Override
  public synchronized void stop() {
    if (server != null) {
      server.stop(0);
      server = null;
    }
    if (executor != null) {
      executor.shutdownNow();
    }
    if (health != null) {
      health.close();
    }
  }
}
