package dev.netpol.watch.internal;

import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.ServiceRef;
import dev.netpol.platform.guice.Setting;
import dev.netpol.platform.guice.Settings;
import dev.netpol.watch.ApiEndpoint;
import dev.netpol.watch.KubeCluster;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the API to use and registers a {@link KubeCluster} for it: a kubeconfig file if the setting
 * names one, the in-cluster account inside a pod, else the embedded API when it appears.
 */
final class Connector implements Managed {
  static final Setting<String> KUBECONFIG =
      Setting.string(
          "netpol.kubeconfig",
          "",
          "kubeconfig file of the API to use; empty: in-cluster account, else the embedded API");
  private static final Logger LOG = LoggerFactory.getLogger(Connector.class);
  private final BundleContext context;
  private final Settings settings;
  private final ServiceRef<ApiEndpoint> embedded;
  private SharedInformers current;
  private ServiceRegistration<KubeCluster> registration;
  private AutoCloseable following;
  private int starts; // a background connect of an earlier start (since stopped) does nothing

  @Inject
  Connector(BundleContext context, Settings settings, ServiceRef<ApiEndpoint> embedded) {
    this.context = context;
    this.settings = settings;
    this.embedded = embedded;
  }

  @Override
  public synchronized void start() throws Exception {
    starts++;
    String kubeconfig = settings.get(KUBECONFIG);
    if (!kubeconfig.isBlank()) {
      // read and parsed here: a missing or broken kubeconfig fails the bundle's start
      Config cfg = Config.fromKubeconfig(null, Files.readString(Path.of(kubeconfig)), kubeconfig);
      connectInBackground(cfg, "kubeconfig " + kubeconfig);
    } else if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
      connectInBackground(
          Config.autoConfigure(null), "in-cluster API " + System.getenv("KUBERNETES_SERVICE_HOST"));
    } else {
      warmUp();
      following = embedded.follow(this::embeddedChanged);
    }
  }

  /**
   * Loads the client's classes (HTTP client, Jackson, the models) while the embedded API is still
   * starting: the first connection then takes milliseconds instead of seconds.
   */
  private static void warmUp() {
    Thread t =
        new Thread(
            () -> {
              try (KubernetesClient c =
                  new KubernetesClientBuilder()
                      .withConfig(
                          new ConfigBuilder(Config.empty())
                              .withMasterUrl("http://127.0.0.1:1")
                              .build())
                      .withHttpClientFactory(new JdkHttpClientFactory())
                      .build()) {
                c.getKubernetesSerialization()
                    .unmarshal(
                        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"warm-up\"}}");
                c.pods()
                    .inNamespace("default")
                    .withName("warm-up"); // builds the DSL, sends nothing
              } catch (RuntimeException e) {
                LOG.debug("client warm-up: {}", e.toString());
              }
            },
            "netpol-watch-warmup");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Builds the client (about a second of class loading and set-up on a cold JVM) on a thread of its
   * own, so the bundles started after this one (the backends, the agent, metrics) start meanwhile;
   * they wait for the {@link KubeCluster} service anyway.
   */
  private void connectInBackground(Config cfg, String description) {
    int start = starts;
    Thread t =
        new Thread(
            () -> {
              synchronized (this) {
                if (start == starts) {
                  connect(cfg, description);
                }
              }
            },
            "netpol-watch-connect");
    t.setDaemon(true);
    t.start();
  }

  private synchronized void embeddedChanged(Optional<ApiEndpoint> api) {
    disconnect();
    api.ifPresent(
        a ->
            connect(
                new ConfigBuilder(Config.empty()).withMasterUrl(a.url()).build(),
                "embedded API " + a.url()));
  }

  private void connect(Config base, String description) {
    Config cfg =
        new ConfigBuilder(base)
            .withHttp2Disable(true)
            .withOnlyHttpWatches(true)
            .withRequestRetryBackoffLimit(5)
            .withWatchReconnectInterval(500)
            .build();
    KindMapping kinds = new KindMapping();
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(cfg)
            .withHttpClientFactory(new JdkHttpClientFactory())
            .withKubernetesSerialization(kinds.serialization())
            .build();
    current = new SharedInformers(client, kinds, description);
    registration = context.registerService(KubeCluster.class, current, null);
    LOG.info("connected to the {}", description);
  }

  private void disconnect() {
    if (registration != null) {
      try {
        registration.unregister();
      } catch (IllegalStateException ignored) {
        // the bundle is stopping
      }
      registration = null;
    }
    if (current != null) {
      current.close();
      LOG.info("disconnected from the {}", current.describe());
      current = null;
    }
  }

  @Override
  public synchronized void stop() throws Exception {
    starts++;
    if (following != null) {
      following.close();
    }
    disconnect();
  }
}
