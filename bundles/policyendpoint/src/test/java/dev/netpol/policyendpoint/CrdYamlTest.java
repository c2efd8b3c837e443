package dev.netpol.policyendpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.beans.Introspector;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The CRD YAML parses, names the same group/version/kind as the Java class, and the same fields.
 */
class CrdYamlTest {
  static final String RESOURCE = PolicyEndpoint.CRD_RESOURCE;

  static CustomResourceDefinition crd() throws Exception {
    try (InputStream in = CrdYamlTest.class.getResourceAsStream(RESOURCE)) {
      assertNotNull(in, RESOURCE);
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    }
  }

  @Test
  void namesMatchTheAnnotatedClass() throws Exception {
    CustomResourceDefinition crd = crd();
    assertEquals(
        HasMetadata.getFullResourceName(PolicyEndpoint.class), crd.getMetadata().getName());
    assertEquals(PolicyEndpoint.CRD_NAME, crd.getMetadata().getName());
    assertEquals(HasMetadata.getGroup(PolicyEndpoint.class), crd.getSpec().getGroup());
    assertEquals(HasMetadata.getKind(PolicyEndpoint.class), crd.getSpec().getNames().getKind());
    assertEquals(HasMetadata.getPlural(PolicyEndpoint.class), crd.getSpec().getNames().getPlural());
    assertEquals("Namespaced", crd.getSpec().getScope());
    CustomResourceDefinitionVersion v = crd.getSpec().getVersions().get(0);
    assertEquals(HasMetadata.getVersion(PolicyEndpoint.class), v.getName());
    assertNotNull(v.getSubresources().getStatus(), "status subresource");
    assertEquals(
        List.of("Policy", "Chunk", "Node", "Ingress", "Egress", "Resolved", "Age"),
        v.getAdditionalPrinterColumns().stream()
            .map(c -> c.getName())
            .collect(Collectors.toList()));
  }

  @Test
  void schemaFieldsMatchJavaProperties() throws Exception {
    JSONSchemaProps root = crd().getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    JSONSchemaProps spec = root.getProperties().get("spec");
    check(PolicyEndpointSpec.class, spec);
    check(PolicyRef.class, spec.getProperties().get("policyRef"));
    check(Chunk.class, spec.getProperties().get("chunk"));
    check(
        PodSelectorEndpoint.class,
        spec.getProperties().get("podSelectorEndpoints").getItems().getSchema());
    for (String dir : List.of("ingress", "egress")) {
      JSONSchemaProps entry = spec.getProperties().get(dir).getItems().getSchema();
      check(EndpointEntry.class, entry);
      check(EndpointPort.class, entry.getProperties().get("ports").getItems().getSchema());
    }
    check(PolicyEndpointStatus.class, root.getProperties().get("status"));
  }

  @Test
  void aResourceRoundTripsThroughJson() {
    PolicyEndpoint pe = new PolicyEndpoint();
    pe.getMetadata().setName("allow-0");
    pe.getSpec().setPolicyRef(new PolicyRef("x", "allow", "u1"));
    pe.getSpec().setChunk(new Chunk(0, 1, "abc"));
    pe.getSpec().setPodIsolation(List.of("Ingress"));
    pe.getSpec()
        .getIngress()
        .add(
            new EndpointEntry(
                "198.18.0.0/16",
                List.of("198.18.1.0/24"),
                List.of(new EndpointPort("TCP", 80, 81)),
                List.of("a")));
    String json = Serialization.asJson(pe);
    assertTrue(json.contains("\"apiVersion\":\"policy.netpol.dev/v1alpha1\""), json);
    assertTrue(json.contains("\"kind\":\"PolicyEndpoint\""), json);
    PolicyEndpoint back = Serialization.unmarshal(json, PolicyEndpoint.class);
    assertEquals(pe.getSpec(), back.getSpec());
  }

  private static void check(Class<?> type, JSONSchemaProps schema) throws Exception {
    Set<String> java = new TreeSet<>();
    for (var p : Introspector.getBeanInfo(type, Object.class).getPropertyDescriptors()) {
      if (p.getWriteMethod() != null) {
        java.add(p.getName());
      }
    }
    Map<String, JSONSchemaProps> props = schema.getProperties();
    assertEquals(java, new TreeSet<>(props.keySet()), type.getSimpleName() + " vs CRD schema");
  }
}
