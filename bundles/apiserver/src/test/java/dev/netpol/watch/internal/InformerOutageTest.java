package dev.netpol.watch.internal;

import static org.junit.jupiter.api.Assertions.*;

import dev.netpol.apiserver.EmbeddedApiServer;
import dev.netpol.watch.Selection;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.IOException;
import java.net.BindException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watch bundle's shared informers through an API outage: the cache keeps the last state while
 * the API is gone, and after it returns (same port, same data) the informer converges on the API's
 * state — including changes it could not have seen as watch events (made while its API port was
 * down, through another server on the same data directory), which only a relist finds.
 *
 * <p>Lives in bundles/apiserver's test tree (package of the watch bundle, for the package-private
 * {@link SharedInformers}) because netpol-apiserver depends on netpol-watch: a test dependency of
 * watch on apiserver would make a reactor cycle.
 */
class InformerOutageTest {
  private static final long CATCH_UP_MS = 10_000;
  private Path data;
  private EmbeddedApiServer api;
  private SharedInformers informers;
  private KubernetesClient writer;

  @AfterEach
  void tearDown() throws IOException {
    if (informers != null) {
      informers.close();
    }
    if (writer != null) {
      writer.close();
    }
    if (api != null) {
      api.stop();
    }
    if (data != null) {
      try (Stream<Path> s = Files.walk(data)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** A client made the way {@code Connector} makes it. */
  private static KubernetesClient client(String url) {
    return client(url, new KindMapping());
  }

  /** A client as the watch bundle makes it (its serialization from {@code kinds}). */
  private static KubernetesClient client(String url, KindMapping kinds) {
    Config cfg =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(url)
            .withHttp2Disable(true)
            .withOnlyHttpWatches(true)
            .withRequestRetryBackoffLimit(5)
            .withWatchReconnectInterval(500)
            .build();
    return new KubernetesClientBuilder()
        .withConfig(cfg)
        .withHttpClientFactory(new JdkHttpClientFactory())
        .withKubernetesSerialization(kinds.serialization())
        .build();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static Pod pod(String name, String version) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("outage")
        .withName(name)
        .addToLabels("version", version)
        .endMetadata()
        .withNewSpec()
        .withNodeName("n1")
        .addNewContainer()
        .withName("c")
        .withImage("none")
        .endContainer()
        .endSpec()
        .build();
  }

  /** name -> version label of every cached pod in namespace outage. */
  private static Map<String, String> cached(SharedIndexInformer<Pod> inf) {
    Map<String, String> m = new TreeMap<>();
    for (Pod p : inf.getStore().list()) {
      if ("outage".equals(p.getMetadata().getNamespace())) {
        m.put(p.getMetadata().getName(), p.getMetadata().getLabels().get("version"));
      }
    }
    return m;
  }

  private static long await(
      SharedIndexInformer<Pod> inf, Predicate<Map<String, String>> want, String what)
      throws InterruptedException {
    long t0 = System.nanoTime();
    while (System.nanoTime() - t0 < CATCH_UP_MS * 1_000_000) {
      if (want.test(cached(inf))) {
        return (System.nanoTime() - t0) / 1_000_000;
      }
      Thread.sleep(20);
    }
    fail(what + " not reached within " + CATCH_UP_MS + " ms; cache holds " + cached(inf));
    return -1;
  }

  /**
   * Starts the API on exactly this port, waiting out a port still held by the old server's sockets.
   */
  private static EmbeddedApiServer startOn(int port, Path dir) throws Exception {
    long end = System.currentTimeMillis() + 10_000;
    while (true) {
      EmbeddedApiServer s = new EmbeddedApiServer();
      try {
        s.start("127.0.0.1", port, dir);
        return s;
      } catch (Exception e) {
        boolean bind = e instanceof BindException || e.getCause() instanceof BindException;
        if (!bind || System.currentTimeMillis() > end) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  @Test
  void cacheSurvivesAnOutageAndCatchesUpAfterTheApiReturns() throws Exception {
    data = Files.createTempDirectory("netpol-informer-outage");
    int port = freePort();
    api = startOn(port, data);
    String url = api.url();
    writer = client(url);
    writer
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("outage").endMetadata().build())
        .create();
    writer.pods().resource(pod("p1", "v1")).create();
    writer.pods().resource(pod("p2", "v1")).create();

    KindMapping kinds = new KindMapping();
    informers = new SharedInformers(client(url, kinds), kinds, "test API " + url);
    SharedIndexInformer<Pod> inf = informers.informer(Pod.class, Selection.ALL);
    assertSame(
        inf, informers.informer(Pod.class, Selection.ALL), "one informer per (type, selection)");
    await(inf, m -> m.equals(Map.of("p1", "v1", "p2", "v1")), "initial sync");
    writer
        .pods()
        .inNamespace("outage")
        .withName("p1")
        .edit(
            p ->
                new PodBuilder(p)
                    .editMetadata()
                    .addToLabels("version", "v2")
                    .endMetadata()
                    .build());
    await(inf, m -> "v2".equals(m.get("p1")), "watch event before the outage");

    // outage: the API goes away; the cache must keep the last state while the informer retries
    api.stop();
    api = null;
    Thread.sleep(3000);
    assertEquals(Map.of("p1", "v2", "p2", "v1"), cached(inf), "cache during the outage");
    assertFalse(inf.isWatching(), "informer should notice the outage");

    // while the informer's API port is down, the state changes behind its back: another server on
    // the same data directory (another port) edits it. No watch event of these can reach the
    // informer.
    EmbeddedApiServer other = new EmbeddedApiServer();
    other.start("127.0.0.1", 0, data);
    try (KubernetesClient c = client(other.url())) {
      c.pods().inNamespace("outage").withName("p2").delete();
      c.pods()
          .inNamespace("outage")
          .withName("p1")
          .edit(
              p ->
                  new PodBuilder(p)
                      .editMetadata()
                      .addToLabels("version", "v3")
                      .endMetadata()
                      .build());
      c.pods().resource(pod("p3", "v1")).create();
    } finally {
      other.stop();
    }
    Thread.sleep(500);
    assertEquals(
        Map.of("p1", "v2", "p2", "v1"), cached(inf), "cache still holds the last state it saw");

    // the API returns on the same port and data directory
    long back = System.nanoTime();
    api = startOn(port, data);
    assertEquals(url, api.url());
    long relist =
        await(inf, m -> m.equals(Map.of("p1", "v3", "p3", "v1")), "resync with offline changes");
    System.out.printf(
        "informer outage: offline changes visible %d ms after the API returned%n",
        (System.nanoTime() - back) / 1_000_000);

    // and live changes after the return arrive as watch events again
    writer.pods().resource(pod("p4", "v1")).create();
    writer
        .pods()
        .inNamespace("outage")
        .withName("p3")
        .edit(
            p ->
                new PodBuilder(p)
                    .editMetadata()
                    .addToLabels("version", "v2")
                    .endMetadata()
                    .build());
    writer.pods().inNamespace("outage").withName("p1").delete();
    long live =
        await(inf, m -> m.equals(Map.of("p3", "v2", "p4", "v1")), "live changes after the return");
    System.out.printf("informer outage: relist %d ms, live changes %d ms%n", relist, live);
    assertTrue(inf.isWatching(), "informer watches again");
  }
}
