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
  static final Setting<String> ADDRESS =
      Setting.string(
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

  @Inject
  MetricsServer(Settings settings, StatusSources sources) {
    this.settings = settings;
    this.sources = sources;
  }

  @Override
  public void start() throws IOException {
    String address = settings.get(ADDRESS).trim();
    if (address.isEmpty()) {
      LOG.info("metrics endpoint off (netpol.metrics.address is empty)");
      return;
    }
    InetSocketAddress wanted = HostPort.parse(ADDRESS.key(), address);
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new NetpolCollector(sources));
    JvmMetrics.builder().register(registry);
    health = new Health(sources);
    server = bind(wanted);
    executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "netpol-metrics");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/metrics", new MetricsHandler(registry));
    server.createContext("/healthz", x -> answer(x, health.liveness()));
    server.createContext("/livez", x -> answer(x, health.liveness()));
    server.createContext("/readyz", x -> answer(x, readiness()));
    server.start();
    LOG.info("metrics at http://{}/metrics, health at /healthz and /readyz", describe(address()));
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

  /** Where the endpoint listens, once started. */
  InetSocketAddress address() {
    return server == null ? null : server.getAddress();
  }

  private static String describe(InetSocketAddress a) {
    String host = a.getHostString();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  @Override
  public void stop() {
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
