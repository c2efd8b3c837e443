package dev.netpol.resolver;

import static dev.netpol.resolver.Fixtures.ns;
import static dev.netpol.resolver.Fixtures.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.resolver.testing.EmbeddedApi;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A controller started and closed on shared informers (as the bundle does on every restart and
 * leadership change) leaves none of its handlers on them, and a closed controller writes nothing.
 */
class ControllerLifecycleTest {
  EmbeddedApi api;
  KubernetesClient client;
  InformerSource shared;
  final Set<Object> handlers = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void setUp() {
    api = new EmbeddedApi();
    client = api.client();
    client.namespaces().resource(ns("x")).create();
    shared = InformerSource.create(client);
  }

  @AfterEach
  void tearDown() {
    shared.networkPolicies().close();
    shared.pods().close();
    shared.namespaces().close();
    shared.services().close();
    shared.policyEndpoints().close();
    api.close();
  }

  @Test
  void closeRemovesEveryHandlerStartAdded() throws Exception {
    InformerSource counted =
        InformerSource.of(
            counting(shared.networkPolicies()),
            counting(shared.pods()),
            counting(shared.namespaces()),
            counting(shared.services()),
            counting(shared.policyEndpoints()));
    ControllerOptions options = ControllerOptions.defaults().withResyncPeriod(Duration.ofHours(1));
    PolicyController last = null;
    for (int i = 0; i < 5; i++) {
      PolicyController c = new PolicyController(client, counted, options).start();
      assertEquals(5, handlers.size(), "one handler per informer while running");
      PolicyControllerTest.await("controller " + i + " idle", c::idle);
      c.close();
      assertEquals(0, handlers.size(), "no handler left after close, restart " + i);
      last = c;
    }
    long reconciles = last.reconciles();
    client
        .network()
        .v1()
        .networkPolicies()
        .resource(
            policy(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
                    + "metadata: {namespace: x, name: after-close}\nspec: {podSelector: {}}"))
        .create();
    Thread.sleep(1000);
    assertEquals(reconciles, last.reconciles(), "a closed controller reconciles nothing");
    assertNull(
        client.resources(PolicyEndpoint.class).inNamespace("x").withName("after-close-0").get(),
        "and writes nothing");
  }

  /** The informer, with the handlers added and not yet removed counted in {@link #handlers}. */
  @SuppressWarnings("unchecked")
  <T> SharedIndexInformer<T> counting(SharedIndexInformer<T> informer) {
    Object[] self = new Object[1];
    self[0] =
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {SharedIndexInformer.class},
            (proxy, method, args) -> {
              if (method.getName().equals("addEventHandler")
                  && args[0] instanceof ResourceEventHandler<?> h) {
                handlers.add(h);
              } else if (method.getName().equals("removeEventHandler")) {
                handlers.remove(args[0]);
              }
              try {
                Object r = method.invoke(informer, args);
                return r == informer ? proxy : r;
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
    return (SharedIndexInformer<T>) self[0];
  }
}
