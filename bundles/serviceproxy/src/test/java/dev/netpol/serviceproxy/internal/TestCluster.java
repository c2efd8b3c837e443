package dev.netpol.serviceproxy.internal;

import dev.netpol.platform.guice.ServiceRef;
import dev.netpol.platform.guice.Setting;
import dev.netpol.platform.guice.Settings;
import dev.netpol.watch.KubeCluster;
import dev.netpol.watch.Selection;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The OSGi side of the proxy, without OSGi: a KubeCluster on a kubeconfig, a fixed ServiceRef,
 * settings.
 */
final class TestCluster implements KubeCluster, ServiceRef<KubeCluster>, Settings, AutoCloseable {
  private final KubernetesClient client;
  private final Map<Class<?>, SharedIndexInformer<?>> informers = new ConcurrentHashMap<>();
  private final Map<String, String> values;

  TestCluster(Path kubeconfig, Map<String, String> values) throws Exception {
    Config cfg =
        new ConfigBuilder(Config.fromKubeconfig(null, Files.readString(kubeconfig), null))
            .withHttp2Disable(true)
            .withOnlyHttpWatches(true)
            .build();
    client =
        new KubernetesClientBuilder()
            .withConfig(cfg)
            .withHttpClientFactory(new JdkHttpClientFactory())
            .build();
    this.values = values;
  }

  @Override
  public KubernetesClient client() {
    return client;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends HasMetadata> SharedIndexInformer<T> informer(
      Class<T> type, Selection selection) {
    return (SharedIndexInformer<T>)
        informers.computeIfAbsent(
            type,
            t -> {
              SharedIndexInformer<T> inf =
                  client.resources(type).inAnyNamespace().runnableInformer(0);
              inf.start();
              return inf;
            });
  }

  @Override
  public String describe() {
    return "test API";
  }

  @Override
  public Optional<KubeCluster> current() {
    return Optional.of(this);
  }

  @Override
  public List<Registered<KubeCluster>> all() {
    return List.of(new Registered<>(this, Map.of()));
  }

  @Override
  public AutoCloseable follow(Consumer<Optional<KubeCluster>> listener) {
    listener.accept(Optional.of(this));
    return () -> {};
  }

  @Override
  public <T> T get(Setting<T> setting) {
    String v = values.get(setting.key());
    return v == null ? setting.defaultValue() : setting.parser().apply(v);
  }

  @Override
  public void onChange(Runnable listener) {}

  @Override
  public void close() {
    informers.values().forEach(SharedIndexInformer::stop);
    client.close();
  }
}
