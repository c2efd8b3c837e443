package dev.netpol.resolver.testing;

import dev.netpol.apiserver.EmbeddedApiServer;
import dev.netpol.policyendpoint.PolicyEndpoint;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * netpol's embedded API server on a free port with a temporary data directory and the
 * PolicyEndpoint CRD installed; clients made as the watch bundle makes them.
 */
public final class EmbeddedApi implements AutoCloseable {
  private final Path dir;
  private final EmbeddedApiServer server = new EmbeddedApiServer();
  private final List<KubernetesClient> clients = new ArrayList<>();
  public final String url;

  public EmbeddedApi() {
    try {
      dir = Files.createTempDirectory("netpol-resolver-test-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    url = server.start("127.0.0.1", 0, dir);
    try (InputStream in = PolicyEndpoint.class.getResourceAsStream(PolicyEndpoint.CRD_RESOURCE)) {
      KubernetesClient c = client();
      c.apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(c.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
          .create();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new client; closed with this server. */
  public KubernetesClient client() {
    Config cfg =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(url)
            .withHttp2Disable(true)
            .withOnlyHttpWatches(true)
            .withRequestRetryBackoffLimit(5)
            .withWatchReconnectInterval(500)
            .build();
    KubernetesClient c =
        new KubernetesClientBuilder()
            .withConfig(cfg)
            .withHttpClientFactory(new JdkHttpClientFactory())
            .build();
    clients.add(c);
    return c;
  }

  @Override
  public void close() {
    clients.forEach(KubernetesClient::close);
    server.stop();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // temporary files only
    }
  }
}
