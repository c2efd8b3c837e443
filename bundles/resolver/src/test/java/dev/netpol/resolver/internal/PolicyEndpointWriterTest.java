package dev.netpol.resolver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.policyendpoint.EndpointEntry;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.policyendpoint.PolicyEndpointStatus;
import dev.netpol.policyendpoint.PolicyRef;
import dev.netpol.resolver.PlannedChanges;
import dev.netpol.resolver.testing.EmbeddedApi;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * 409 Conflicts are routine for the writer (a lagging cache, an agent's condition, a controller
 * that just lost the lease): it reads the object and writes again on top of it, never failing and
 * never dropping what others wrote. Other failures name the object. Against the embedded API, which
 * checks resourceVersions like a real API server.
 */
class PolicyEndpointWriterTest {
  EmbeddedApi api;
  KubernetesClient client;
  final List<String> cache = new ArrayList<>();
  PolicyEndpointWriter writer;

  @BeforeEach
  void setUp() {
    api = new EmbeddedApi();
    client = api.client();
    client
        .namespaces()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName("x")
                .endMetadata()
                .build())
        .create();
    writer =
        new PolicyEndpointWriter(
            client,
            new PolicyEndpointWriter.Store() {
              @Override
              public void stored(PolicyEndpoint pe) {
                cache.add("stored " + pe.getMetadata().getResourceVersion());
              }

              @Override
              public void deleted(PolicyEndpoint pe) {
                cache.add("deleted " + pe.getMetadata().getName());
              }
            });
  }

  @AfterEach
  void tearDown() {
    api.close();
  }

  static PolicyEndpoint pe(String cidr) {
    PolicyEndpoint pe = new PolicyEndpoint();
    pe.getMetadata().setNamespace("x");
    pe.getMetadata().setName("allow-0");
    pe.getSpec().setPolicyRef(new PolicyRef("x", "allow", "uid-1"));
    pe.getSpec().setIngress(new ArrayList<>(List.of(new EndpointEntry(cidr, null, null, null))));
    pe.setStatus(null);
    return pe;
  }

  PolicyEndpoint read() {
    return client.resources(PolicyEndpoint.class).inNamespace("x").withName("allow-0").get();
  }

  /** What an agent does: its own condition type on the status, from a fresh read. */
  void agentCondition() {
    PolicyEndpoint now = read();
    PolicyEndpointStatus st =
        now.getStatus() == null ? new PolicyEndpointStatus() : now.getStatus();
    List<Condition> c = new ArrayList<>(st.getConditions());
    c.add(
        new ConditionBuilder()
            .withType("Programmed.node-1")
            .withStatus("False")
            .withReason("CapacityExceeded")
            .withMessage("full")
            .withLastTransitionTime("2026-01-01T00:00:00Z")
            .build());
    st.setConditions(c);
    now.setStatus(st);
    client.resources(PolicyEndpoint.class).inNamespace("x").resource(now).updateStatus();
  }

  @Test
  void staleStatusWriteIsRedoneOnTopOfTheAgentsCondition() {
    PolicyEndpoint created =
        writer
            .apply(
                new PlannedChanges(List.of(pe("198.18.0.1/32")), List.of(), List.of(), List.of()),
                Instant.now())
            .get(0);
    agentCondition(); // the copy the controller holds is stale now
    writer.setResolved(List.of(created), true, "Resolved", "policy resolved", Instant.now());
    assertEquals(1, writer.conflicts());
    List<String> types =
        read().getStatus().getConditions().stream().map(Condition::getType).sorted().toList();
    assertEquals(List.of("Programmed.node-1", "Resolved"), types);
    assertEquals(1, read().getStatus().getIngressEntries());
  }

  @Test
  void staleSpecUpdateConvergesFromAFreshRead() {
    PolicyEndpoint created =
        writer
            .apply(
                new PlannedChanges(List.of(pe("198.18.0.1/32")), List.of(), List.of(), List.of()),
                Instant.now())
            .get(0);
    agentCondition(); // bumps the resourceVersion
    PolicyEndpoint want = pe("198.18.0.2/32");
    want.getMetadata().setResourceVersion(created.getMetadata().getResourceVersion());
    writer.apply(new PlannedChanges(List.of(), List.of(want), List.of(), List.of()), Instant.now());
    assertEquals(1, writer.conflicts());
    assertEquals("198.18.0.2/32", read().getSpec().getIngress().get(0).getCidr());
    assertEquals(
        "Programmed.node-1",
        read().getStatus().getConditions().get(0).getType(),
        "a spec update leaves the status alone");
  }

  @Test
  void createOfWhatExistsBecomesNothingOrAnUpdate() {
    writer.apply(
        new PlannedChanges(List.of(pe("198.18.0.1/32")), List.of(), List.of(), List.of()),
        Instant.now());
    String rv = read().getMetadata().getResourceVersion();
    long writes = writer.writes();
    // a cache that has not seen our create plans it again: same content, nothing written
    writer.apply(
        new PlannedChanges(List.of(pe("198.18.0.1/32")), List.of(), List.of(), List.of()),
        Instant.now());
    assertEquals(writes, writer.writes());
    assertEquals(rv, read().getMetadata().getResourceVersion());
    // different content: updated
    writer.apply(
        new PlannedChanges(List.of(pe("198.18.0.3/32")), List.of(), List.of(), List.of()),
        Instant.now());
    assertEquals(writes + 1, writer.writes());
    assertNotEquals(rv, read().getMetadata().getResourceVersion());
    assertEquals("198.18.0.3/32", read().getSpec().getIngress().get(0).getCidr());
    assertEquals(2, writer.conflicts());
  }

  @Test
  void otherFailuresNameTheObject() {
    PolicyEndpoint gone = pe("198.18.0.1/32");
    gone.getMetadata().setNamespace("does-not-exist");
    gone.getMetadata().setResourceVersion("7");
    // an update of an object in a namespace that does not exist: 404
    var e =
        assertThrows(
            PolicyEndpointWriter.WriteException.class,
            () ->
                writer.apply(
                    new PlannedChanges(List.of(), List.of(gone), List.of(), List.of()),
                    Instant.now()));
    assertTrue(
        e.getMessage().startsWith("PolicyEndpoint does-not-exist/allow-0: update failed: 404"),
        e.getMessage());
  }
}
