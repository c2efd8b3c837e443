package dev.netpol.itests;

import static org.junit.Assert.*;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import dev.netpol.api.status.ControllerStatus;
import dev.netpol.api.status.PolicyStatus;
import dev.netpol.watch.ApiEndpoint;
import dev.netpol.watch.KubeCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The controller profile with the embedded API, in Felix: the {@link ControllerStatus} service, the
 * settings of etc/config in force from the very first policy, and a resolver bundle restarted five
 * times leaving no event handler behind on the shared informers.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ControllerIT {
  @Inject BundleContext context;
  @Inject ControllerStatus status;
  @Inject ApiEndpoint api;
  @Inject KubeCluster cluster;

  /** etc/config as shipped, with a chunk size of 1 for the controller. */
  @Configuration
  public Option[] config() throws Exception {
    Path config = Files.createTempDirectory("netpol-it-config-");
    try (Stream<Path> s = Files.list(NetpolOptions.dist().resolve("etc/config"))) {
      for (Path p : s.toList()) {
        Files.copy(p, config.resolve(p.getFileName()));
      }
    }
    Files.writeString(
        config.resolve("netpol-resolver.cfg"),
        Files.readString(config.resolve("netpol-resolver.cfg"))
            + "\nnetpol.controller.chunk.size = 1\n");
    return NetpolOptions.profile(
        "controller",
        config,
        List.of("netpol-apiserver-*.jar"),
        frameworkProperty("netpol.data.dir")
            .value(Files.createTempDirectory("netpol-it-").toString()));
  }

  @Test
  public void theControllerLeadsAndReportsEachPolicyWithTheChunkSizeOfItsConfigFile()
      throws Exception {
    assertTrue("the only controller leads", await(status::leader));
    assertTrue(status.identity(), status.identity().matches(".+_\\d+"));
    assertEquals(
        status.identity(),
        status.identity().substring(0, status.identity().lastIndexOf('_') + 1)
            + ProcessHandle.current().pid());
    post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"it\"}}");
    pod("a", "server", "198.18.0.1");
    pod("b", "client", "198.18.0.2");
    pod("c", "client", "198.18.0.3");
    post(
        "/apis/networking.k8s.io/v1/namespaces/it/networkpolicies",
        "{\"metadata\":{\"name\":\"to-a\"},\"spec\":{\"podSelector\":{\"matchLabels\":{\"app\":\"a\"}},"
            + "\"ingress\":[{\"from\":[{\"podSelector\":{\"matchLabels\":{\"role\":\"client\"}}}]}]}}");
    assertTrue(
        "to-a resolved into two chunks of one entry",
        await(
            () ->
                find("to-a")
                    .filter(p -> p.resolved() && p.chunks().equals(List.of("to-a-0", "to-a-1")))
                    .isPresent()));
    PolicyStatus p = find("to-a").get();
    assertEquals(1, p.selectedPods());
    assertEquals(2, p.ingressEntries());
    assertEquals(0, p.egressEntries());
    assertEquals("", p.message());
    assertTrue("writes: creates and status", await(() -> status.writes() >= 4));
    assertEquals(0, status.errors());
  }

  @Test
  public void restartingTheResolverLeavesNoHandlerOnTheSharedInformers() throws Exception {
    assertTrue(await(status::leader));
    Thread.sleep(500);
    Map<String, Integer> before = cluster.handlers();
    assertEquals(
        "one handler of the controller on each of its five informers: " + before,
        5,
        before.values().stream().mapToInt(Integer::intValue).sum());
    Bundle resolver = bundle("netpol-resolver");
    for (int i = 0; i < 5; i++) {
      resolver.stop();
      assertEquals(
          "none left after stop " + i,
          0,
          cluster.handlers().values().stream().mapToInt(Integer::intValue).sum());
      resolver.start();
      assertTrue("leads again after restart " + i, await(() -> current().leader()));
    }
    assertEquals(before, cluster.handlers());
  }

  /** The ControllerStatus registered now (the injected one goes with the bundle's restart). */
  private ControllerStatus current() {
    var ref = context.getServiceReference(ControllerStatus.class);
    return ref == null ? new Absent() : context.getService(ref);
  }

  /** Stands in while no ControllerStatus is registered. */
  private static final class Absent implements ControllerStatus {
    @Override
    public boolean leader() {
      return false;
    }

    @Override
    public String identity() {
      return "";
    }

    @Override
    public List<PolicyStatus> policies() {
      return List.of();
    }

    @Override
    public long writes() {
      return 0;
    }

    @Override
    public long errors() {
      return 0;
    }
  }

  private Optional<PolicyStatus> find(String name) {
    return status.policies().stream()
        .filter(p -> p.namespace().equals("it") && p.name().equals(name))
        .findFirst();
  }

  private void pod(String name, String role, String ip) throws Exception {
    post(
        "/api/v1/namespaces/it/pods",
        "{\"metadata\":{\"name\":\""
            + name
            + "\",\"labels\":{\"app\":\""
            + name
            + "\",\"role\":\""
            + role
            + "\"}},\"spec\":{\"nodeName\":\"n1\",\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}");
    send(
        HttpRequest.newBuilder(
                URI.create(api.url() + "/api/v1/namespaces/it/pods/" + name + "/status"))
            .header("Content-Type", "application/merge-patch+json")
            .method(
                "PATCH",
                HttpRequest.BodyPublishers.ofString(
                    "{\"status\":{\"phase\":\"Running\",\"podIP\":\""
                        + ip
                        + "\",\"podIPs\":[{\"ip\":\""
                        + ip
                        + "\"}]}}"))
            .build());
  }

  private void post(String path, String json) throws Exception {
    send(
        HttpRequest.newBuilder(URI.create(api.url() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  private static void send(HttpRequest r) throws Exception {
    HttpResponse<String> resp =
        HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString());
    assertTrue(r.uri() + ": " + resp.statusCode() + " " + resp.body(), resp.statusCode() < 300);
  }

  private Bundle bundle(String symbolicName) {
    for (Bundle b : context.getBundles()) {
      if (symbolicName.equals(b.getSymbolicName())) {
        return b;
      }
    }
    throw new AssertionError("no bundle " + symbolicName);
  }

  /** Waits up to 30 s; on a time-out prints every thread's stack, for the report. */
  private static boolean await(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(50);
    }
    Thread.getAllStackTraces()
        .forEach(
            (t, stack) -> {
              System.out.println("thread " + t.getName());
              for (StackTraceElement e : stack) {
                System.out.println("    at " + e);
              }
            });
    return false;
  }
}
