package dev.netpol.apiserver.internal.bundle;

import dev.netpol.apiserver.EmbeddedApiServer;
import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.Setting;
import dev.netpol.platform.guice.Settings;
import dev.netpol.watch.ApiEndpoint;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the embedded API on the configured address, keeping its state under {@code <data
 * dir>/api}, and writes an admin kubeconfig to {@code <data dir>/kubeconfig}.
 */
final class EmbeddedApiRunner implements Managed, ApiEndpoint {
  static final Setting<String> DATA_DIR =
      Setting.string(
          "netpol.data.dir",
          System.getProperty("user.home") + "/.netpol/standalone",
          "directory for state, kubeconfig and caches");
  static final Setting<String> HOST =
      Setting.string("netpol.api.host", "127.0.0.1", "address the embedded API listens on");
  static final Setting<Integer> PORT =
      Setting.integer(
          "netpol.api.port", 0, 0, 65535, "port of the embedded API; 0 picks a free one");
  static final List<Setting<?>> SETTINGS = List.of(DATA_DIR, HOST, PORT);
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedApiRunner.class);
  private final Settings settings;
  private final EmbeddedApiServer server = new EmbeddedApiServer();
  private volatile String url;

  @Inject
  EmbeddedApiRunner(Settings settings) {
    this.settings = settings;
  }

  @Override
  public void start() throws Exception {
    Path data = Path.of(settings.get(DATA_DIR));
    url = server.start(settings.get(HOST), settings.get(PORT), data.resolve("api"));
    Path kubeconfig = data.resolve("kubeconfig");
    server.writeKubeconfig(kubeconfig);
    LOG.info("embedded Kubernetes API serving at {}; kubeconfig: {}", url, kubeconfig);
    System.out.println(
        "netpol: kubeconfig written to "
            + kubeconfig
            + "  (kubectl --kubeconfig "
            + kubeconfig
            + " get pods -A)");
  }

  @Override
  public void stop() {
    server.stop();
    LOG.info("embedded Kubernetes API at {} stopped; state kept", url);
  }

  @Override
  public String url() {
    return url;
  }
}
