package dev.netpol.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.netpol.apiserver.internal.ApiHandler;
import dev.netpol.apiserver.internal.ControllerLoop;
import dev.netpol.apiserver.internal.ObjectStore;
import dev.netpol.apiserver.internal.ResourceRegistry;
import dev.netpol.apiserver.internal.ResourceService;
import dev.netpol.apiserver.internal.StateFile;
import dev.netpol.apiserver.internal.Watches;
import dev.netpol.apiserver.internal.WriteAheadLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small Kubernetes API server for one machine: plain HTTP, no authentication, state persisted in
 * a data directory. kubectl and the fabric8 client (with {@code Config.onlyHttpWatches=true}) work
 * against it. Every write is in the write-ahead log and fsynced before its reply, and before any
 * watcher or reader sees it.
 *
 * <pre>{@code
 * EmbeddedApiServer api = new EmbeddedApiServer();
 * String url = api.start("127.0.0.1", 0, dataDir);   // http://127.0.0.1:<port>
 * api.writeKubeconfig(dataDir.resolve("kubeconfig"));
 * ...
 * api.stop();
 * }</pre>
 */
public final class EmbeddedApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedApiServer.class);

  /**
   * Tuning of durability and watches.
   *
   * @param groupCommitWindow how long the log committer waits for more writers before each fsync
   *     (0: none; concurrent writers share an fsync anyway)
   * @param compactionBytes log size after which it is compacted into the snapshot (or the size of
   *     the last snapshot, when that is larger)
   * @param watchHistory events kept for watches that resume from a resourceVersion; older ones get
   *     410 Gone
   * @param watchQueue events one watch may have waiting to be sent; a watch whose client reads
   *     slower is ended (the client resumes from its last resourceVersion)
   */
  public record Options(
      Duration groupCommitWindow, long compactionBytes, int watchHistory, int watchQueue) {
    public static final Options DEFAULTS = new Options(Duration.ZERO, 16L << 20, 10_000, 1_000);

    public Options {
      if (groupCommitWindow.isNegative()
          || compactionBytes < 1
          || watchHistory < 1
          || watchQueue < 1) {
        throw new IllegalArgumentException(
            "bad options: groupCommitWindow "
                + groupCommitWindow
                + ", compactionBytes "
                + compactionBytes
                + ", watchHistory "
                + watchHistory
                + ", watchQueue "
                + watchQueue);
      }
    }
  }

  private final Options options;
  private HttpServer http;
  private ExecutorService executor;
  private ControllerLoop controllers;
  private WriteAheadLog wal;
  private ObjectStore store;
  private Watches watches;
  private volatile boolean stopping;
  private String url;

  public EmbeddedApiServer() {
    this(Options.DEFAULTS);
  }

  public EmbeddedApiServer(Options options) {
    this.options = options;
  }

  /**
   * Loads the state in dataDir (if any) and starts serving. port 0 picks a free port.
   *
   * @return the base URL, e.g. {@code http://127.0.0.1:38117}
   */
  public synchronized String start(String host, int port, Path dataDir) {
    if (http != null) {
      throw new IllegalStateException("already started at " + url);
    }
    try {
      Files.createDirectories(dataDir);
      ObjectStore store = new ObjectStore(options.watchHistory());
      ResourceRegistry registry = new ResourceRegistry();
      StateFile stateFile = new StateFile(dataDir);
      WriteAheadLog.Recovered loaded = WriteAheadLog.recover(dataDir, stateFile);
      for (ObjectNode crd :
          loaded.objects().getOrDefault(ResourceRegistry.CRDS.storageKey(), List.of())) {
        registry.register(crd);
      }
      store.load(loaded.resourceVersion(), loaded.objects());
      if (loaded.found()) {
        LOG.info(
            "loaded {} objects at resourceVersion {} from {}",
            loaded.objects().values().stream().mapToInt(List::size).sum(),
            loaded.resourceVersion(),
            dataDir);
      }
      wal =
          new WriteAheadLog(
              dataDir, stateFile, store, options.groupCommitWindow(), options.compactionBytes());
      wal.open();
      store.attach(wal);
      if (!loaded.found()) {
        bootstrap(store);
      }
      ResourceService service = new ResourceService(store, registry);
      stopping = false;
      this.store = store;
      watches = new Watches(options.watchQueue());
      controllers = new ControllerLoop(service);
      controllers.start();
      AtomicInteger n = new AtomicInteger();
      executor =
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, "netpol-apiserver-http-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      // without TCP_NODELAY, Nagle + delayed ACK add ~40 ms to every response (headers and body are
      // separate writes);
      // the JDK reads this once, when the first HttpServer of the JVM is made
      if (System.getProperty("sun.net.httpserver.nodelay") == null) {
        System.setProperty("sun.net.httpserver.nodelay", "true");
      }
      http = HttpServer.create(new InetSocketAddress(host, port), 128);
      http.createContext("/", new ApiHandler(service, () -> stopping, watches));
      http.setExecutor(executor);
      http.start();
      String urlHost = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
      if (urlHost.contains(":")) {
        urlHost = "[" + urlHost + "]";
      }
      url = "http://" + urlHost + ":" + http.getAddress().getPort();
      LOG.info("embedded API server listening on {} (data in {})", url, dataDir);
      return url;
    } catch (IOException e) {
      stop();
      throw new UncheckedIOException(
          "cannot start the embedded API server on " + host + ":" + port, e);
    }
  }

  /** The built-in namespaces a fresh cluster has. */
  private static void bootstrap(ObjectStore store) {
    for (String ns : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
      ObjectNode o =
          dev.netpol.apiserver.internal.Json.object()
              .put("apiVersion", "v1")
              .put("kind", "Namespace");
      o.putObject("metadata")
          .put("name", ns)
          .put("uid", java.util.UUID.randomUUID().toString())
          .put("creationTimestamp", dev.netpol.apiserver.internal.Json.now())
          .putObject("labels")
          .put("kubernetes.io/metadata.name", ns);
      o.putObject("spec").putArray("finalizers").add("kubernetes");
      o.putObject("status").put("phase", "Active");
      store.create(ResourceRegistry.NAMESPACES, o);
    }
    store.awaitDurable(store.resourceVersion());
  }

  /**
   * What the server holds now, for operators and tests.
   *
   * @param resourceVersion the durable (published) resourceVersion
   * @param watchHistory events kept for resuming watches (at most the configured window)
   * @param openWatches watches being served
   * @param slowWatchesEnded watches ended since start because their client read too slowly
   * @param fsyncs log fsyncs since start (each commits one group of writes)
   */
  public record Stats(
      long resourceVersion,
      int watchHistory,
      int openWatches,
      long slowWatchesEnded,
      long fsyncs) {}

  /** Current figures; null when not running. */
  public synchronized Stats stats() {
    if (http == null) {
      return null;
    }
    return new Stats(
        store.publishedResourceVersion(),
        store.historySize(),
        watches.open(),
        watches.endedSlow(),
        wal.fsyncs());
  }

  /** The base URL, or null when not running. */
  public synchronized String url() {
    return http == null ? null : url;
  }

  /**
   * Stops serving, ends open watches, and compacts the log into the snapshot. Safe to call twice.
   */
  public synchronized void stop() {
    stopping = true;
    if (http != null) {
      http.stop(0);
      http = null;
    }
    if (controllers != null) {
      controllers.close();
      controllers = null;
    }
    if (wal != null) {
      wal.close();
      wal = null;
    }
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
    if (url != null) {
      LOG.info("embedded API server at {} stopped", url);
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** Writes an admin kubeconfig (no credentials) pointing at this server; call after start. */
  public synchronized void writeKubeconfig(Path file) {
    if (http == null) {
      throw new IllegalStateException("not started");
    }
    String yaml =
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: netpol",
            "  cluster:",
            "    server: " + url,
            "contexts:",
            "- name: netpol-admin",
            "  context:",
            "    cluster: netpol",
            "    user: admin",
            "    namespace: default",
            "current-context: netpol-admin",
            "preferences: {}",
            "users:",
            "- name: admin",
            "  user: {}",
            "");
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write kubeconfig " + file, e);
    }
  }
}
