package dev.netpol.apiserver.internal.bundle;

import dev.netpol.apiserver.EmbeddedApiServer;
import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.Setting;
import dev.netpol.platform.guice.Settings;
import dev.netpol.watch.ApiEndpoint;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
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
  static final Setting<Duration> GROUP_COMMIT =
      Setting.duration(
          "netpol.api.wal.group-commit-window",
          Duration.ZERO,
          "how long the log committer waits for more writers before each fsync");
  static final Setting<Integer> COMPACTION_MIB =
      Setting.integer(
          "netpol.api.wal.compaction-mib",
          16,
          1,
          4096,
          "log size (MiB) after which it is compacted into the snapshot");
  static final Setting<Integer> WATCH_HISTORY =
      Setting.integer(
          "netpol.api.watch.history",
          EmbeddedApiServer.Options.DEFAULTS.watchHistory(),
          100,
          1_000_000,
          "events kept for watches that resume from a resourceVersion");
  static final Setting<Integer> WATCH_QUEUE =
      Setting.integer(
          "netpol.api.watch.queue",
          EmbeddedApiServer.Options.DEFAULTS.watchQueue(),
          10,
          1_000_000,
          "events one watch may have waiting before it is ended as too slow");
  static final List<Setting<?>> SETTINGS =
      List.of(DATA_DIR, HOST, PORT, GROUP_COMMIT, COMPACTION_MIB, WATCH_HISTORY, WATCH_QUEUE);
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedApiRunner.class);
  private final Settings settings;
  private volatile EmbeddedApiServer server;
  private volatile String url;

  @Inject
  EmbeddedApiRunner(Settings settings) {
    this.settings = settings;
  }

  @Override
  public void start() throws Exception {
    server =
        new EmbeddedApiServer(
            new EmbeddedApiServer.Options(
                settings.get(GROUP_COMMIT),
                (long) settings.get(COMPACTION_MIB) << 20,
                settings.get(WATCH_HISTORY),
                settings.get(WATCH_QUEUE)));
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
    if (server != null) {
      server.stop();
    }
    LOG.info("embedded Kubernetes API at {} stopped; state kept", url);
  }

  @Override
  public String url() {
    return url;
  }
}
