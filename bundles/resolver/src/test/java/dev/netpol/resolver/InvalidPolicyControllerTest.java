package dev.netpol.resolver;

import static dev.netpol.resolver.Fixtures.ns;
import static dev.netpol.resolver.Fixtures.pod;
import static dev.netpol.resolver.Fixtures.policy;
import static dev.netpol.resolver.PolicyControllerTest.POLICY;
import static dev.netpol.resolver.PolicyControllerTest.await;
import static dev.netpol.resolver.PolicyControllerTest.resolved;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.policyendpoint.PolicyEndpoint;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A policy the API server should have rejected (an API that does not validate, or an older one)
 * gets Resolved=False naming the field, and nothing else is affected. Against fabric8's mock API in
 * CRUD mode: the embedded API validates NetworkPolicies and refuses to store this one.
 */
@EnableKubernetesMockClient(crud = true)
class InvalidPolicyControllerTest {
  KubernetesClient client;
  InformerSource informers;
  PolicyController controller;

  @BeforeEach
  void setUp() throws Exception {
    try (var in = PolicyEndpoint.class.getResourceAsStream(PolicyEndpoint.CRD_RESOURCE)) {
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(Serialization.unmarshal(in, CustomResourceDefinition.class))
          .create();
    }
    client.namespaces().resource(ns("x")).create();
    client
        .pods()
        .resource(pod("x", "a").labels("pod=a").ips("198.18.0.1").node("n1").build())
        .create();
    client
        .pods()
        .resource(pod("x", "b").labels("pod=b").ips("198.18.0.2").node("n2").build())
        .create();
    informers = InformerSource.create(client);
    controller =
        new PolicyController(
                client,
                informers,
                ControllerOptions.defaults().withResyncPeriod(Duration.ofHours(1)))
            .start();
  }

  @AfterEach
  void tearDown() {
    controller.close();
    informers.networkPolicies().close();
    informers.pods().close();
    informers.namespaces().close();
    informers.services().close();
    informers.policyEndpoints().close();
  }

  PolicyEndpoint pe(String name) {
    return client.resources(PolicyEndpoint.class).inNamespace("x").withName(name).get();
  }

  @Test
  void invalidPolicyGetsResolvedFalseNamingTheField() throws Exception {
    client
        .network()
        .v1()
        .networkPolicies()
        .resource(
            policy(
                POLICY
                    .replace("allow-b", "bad")
                    .replace(
                        "[{podSelector: {matchLabels: {pod: b}}}]",
                        "[{ipBlock: {cidr: 198.18.0.0/16, except: [198.20.0.0/24]}}]")))
        .create();
    await(
        "placeholder with Resolved=False",
        () -> {
          PolicyEndpoint pe = pe("bad-0");
          return pe != null && pe.getStatus() != null && !pe.getStatus().getConditions().isEmpty();
        });
    PolicyEndpoint pe = pe("bad-0");
    Condition c = resolved(pe);
    assertEquals("False", c.getStatus());
    assertEquals("InvalidPolicy", c.getReason());
    assertEquals(
        "netpol x/bad: spec.ingress[0].from[0].ipBlock.except[0]: 198.20.0.0/24 must be a strict subset of 198.18.0.0/16",
        c.getMessage());
    assertTrue(pe.getSpec().getPodSelectorEndpoints().isEmpty(), "placeholder selects no pods");

    // another, valid policy is unaffected
    client.network().v1().networkPolicies().resource(policy(POLICY)).create();
    await(
        "valid policy resolved",
        () ->
            pe("allow-b-0") != null
                && !pe("allow-b-0").getSpec().getPodSelectorEndpoints().isEmpty());

    // fixing the bad policy turns the placeholder into a real PE
    client
        .network()
        .v1()
        .networkPolicies()
        .inNamespace("x")
        .withName("bad")
        .edit(
            np -> {
              np.getSpec()
                  .getIngress()
                  .get(0)
                  .getFrom()
                  .get(0)
                  .getIpBlock()
                  .setExcept(List.of("198.18.5.0/24"));
              return np;
            });
    await(
        "fixed",
        () -> {
          PolicyEndpoint p = pe("bad-0");
          return p.getStatus() != null
              && "True".equals(resolved(p).getStatus())
              && p.getSpec().getIngress().size() == 1;
        });
  }
}
