package dev.netpol.agent.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.Setting;
import dev.netpol.platform.guice.Settings;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's metrics in the Prometheus text format at {@code /metrics}, and its health for kubelet
 * probes (the DaemonSet of distribution/src/manifests): {@code /healthz} answers while the agent
 * runs, {@code /readyz} once its caches have synced and a backend is there to program.
 */
final class MetricsEndpoint implements Managed {
  static final Setting<String> ADDRESS =
      Setting.string(
          "netpol.agent.metrics",
          "127.0.0.1:0",
          "host:port of the agent's /metrics, /healthz and /readyz endpoint (port 0 picks a free one; empty turns it off)");
  private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
  private final Settings settings;
  private final AgentStatus status;
  private HttpServer server;

  @Inject
  MetricsEndpoint(Settings settings, NodeAgent status) {
    this((Settings) settings, (AgentStatus) status);
  }

  MetricsEndpoint(Settings settings, AgentStatus status) {
    this.settings = settings;
    this.status = status;
  }

  @Override
  public void start() throws IOException {
    String address = settings.get(ADDRESS).trim();
    if (address.isEmpty()) {
      return;
    }
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "netpol.agent.metrics: '" + address + "' is not host:port");
    }
    server =
        HttpServer.create(
            new InetSocketAddress(
                address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
            0);
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "netpol-agent-metrics");
              t.setDaemon(true);
              return t;
            }));
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body = render(status).getBytes(StandardCharsets.UTF_8);
          exchange
              .getResponseHeaders()
              .set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.createContext("/healthz", exchange -> plain(exchange, 200, "ok\n"));
    server.createContext(
        "/readyz",
        exchange -> {
          String why = notReady(status);
          plain(exchange, why == null ? 200 : 503, why == null ? "ready\n" : why + "\n");
        });
    server.start();
    LOG.info(
        "agent metrics at http://{}:{}/metrics",
        server.getAddress().getHostString(),
        server.getAddress().getPort());
  }

  /** Why the agent is not ready, or null when it is. */
  static String notReady(AgentStatus s) {
    if (!s.synced()) {
      return "not ready: pod and PolicyEndpoint caches not synced yet";
    }
    if (s.backend().isEmpty()) {
      return "not ready: no enforcement backend available";
    }
    return null;
  }

  private static void plain(HttpExchange exchange, int code, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(code, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** The address the endpoint listens on, once started. */
  InetSocketAddress address() {
    return server == null ? null : server.getAddress();
  }

  static String render(AgentStatus s) {
    StringBuilder b = new StringBuilder();
    String node = "node=\"" + s.nodeName() + "\"";
    b.append(
        "# HELP netpol_agent_programming_latency_seconds From the controller seeing a change to this node having programmed it.\n");
    b.append("# TYPE netpol_agent_programming_latency_seconds histogram\n");
    long count = 0;
    for (Map.Entry<Double, Long> e : s.latencyHistogram().entrySet()) {
      String le = e.getKey().isInfinite() ? "+Inf" : String.valueOf(e.getKey());
      b.append("netpol_agent_programming_latency_seconds_bucket{")
          .append(node)
          .append(",le=\"")
          .append(le)
          .append("\"} ")
          .append(e.getValue())
          .append('\n');
      count = e.getValue();
    }
    b.append("netpol_agent_programming_latency_seconds_count{")
        .append(node)
        .append("} ")
        .append(count)
        .append('\n');
    b.append("# HELP netpol_agent_pods_programmed Local pods programmed into the backend.\n");
    b.append("# TYPE netpol_agent_pods_programmed gauge\n");
    b.append("netpol_agent_pods_programmed{")
        .append(node)
        .append(",backend=\"")
        .append(s.backend())
        .append("\"} ")
        .append(s.programmed().size())
        .append('\n');
    b.append("# HELP netpol_agent_synced 1 once the pod and PolicyEndpoint caches have synced.\n");
    b.append("# TYPE netpol_agent_synced gauge\n");
    b.append("netpol_agent_synced{")
        .append(node)
        .append("} ")
        .append(s.synced() ? 1 : 0)
        .append('\n');
    return b.toString();
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }
}
