package dev.netpol.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Defaulting and validation through the real ResourceService, checking the API server's messages.
 */
class ValidationTest {
  private ResourceService service;

  @BeforeEach
  void setUp() throws Exception {
    service = new ResourceService(new ObjectStore(), new ResourceRegistry());
    service.create(ResourceRegistry.NAMESPACES, null, obj("{'metadata':{'name':'team-a'}}"), false);
  }

  private static ObjectNode obj(String s) throws Exception {
    return (ObjectNode) Json.MAPPER.readTree(s.replace('\'', '"'));
  }

  private ObjectNode netpol(String spec) throws Exception {
    return obj(
        "{'apiVersion':'networking.k8s.io/v1','kind':'NetworkPolicy','metadata':{'name':'x'},'spec':"
            + spec
            + "}");
  }

  private String rejected(String spec) throws Exception {
    ObjectNode np = netpol(spec);
    ApiException e =
        assertThrows(
            ApiException.class,
            () -> service.create(ResourceRegistry.NETWORK_POLICIES, "team-a", np, false));
    assertEquals(422, e.code());
    assertEquals("Invalid", e.status().get("reason").asText());
    return e.getMessage();
  }

  @Test
  void invalidCidr() throws Exception {
    assertEquals(
        "NetworkPolicy.networking.k8s.io \"x\" is invalid: spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "
            + "\"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
        rejected("{'podSelector':{},'ingress':[{'from':[{'ipBlock':{'cidr':'10.0.0.0/33'}}]}]}"));
    assertTrue(
        rejected("{'podSelector':{},'egress':[{'to':[{'ipBlock':{'cidr':'fd00::/129'}}]}]}")
            .contains("spec.egress[0].to[0].ipBlock.cidr: Invalid value: \"fd00::/129\""));
    assertTrue(
        rejected("{'podSelector':{},'egress':[{'to':[{'ipBlock':{'cidr':'300.1.1.1/8'}}]}]}")
            .contains("300.1.1.1/8"));
  }

  @Test
  void exceptMustBeStrictSubset() throws Exception {
    assertTrue(
        rejected(
                "{'podSelector':{},'ingress':[{'from':[{'ipBlock':{'cidr':'10.0.0.0/16','except':['10.1.0.0/24']}}]}]}")
            .endsWith(
                "spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"10.1.0.0/24\": must be a strict subset of `cidr`"));
    assertTrue(
        rejected(
                "{'podSelector':{},'ingress':[{'from':[{'ipBlock':{'cidr':'10.0.0.0/16','except':['10.0.0.0/16']}}]}]}")
            .contains("except[0]: Invalid value: \"10.0.0.0/16\": must be a strict subset"));
  }

  @Test
  void ports() throws Exception {
    assertTrue(
        rejected("{'podSelector':{},'ingress':[{'ports':[{'port':70000}]}]}")
            .endsWith(
                "spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"));
    assertTrue(
        rejected("{'podSelector':{},'ingress':[{'ports':[{'port':100,'endPort':50}]}]}")
            .endsWith(
                "spec.ingress[0].ports[0].endPort: Invalid value: 50: must be greater than or equal to `port`"));
    assertTrue(
        rejected("{'podSelector':{},'egress':[{'ports':[{'port':'http','endPort':90}]}]}")
            .endsWith(
                "spec.egress[0].ports[0].endPort: Forbidden: may not be specified when `port` is non-numeric"));
    assertTrue(
        rejected("{'podSelector':{},'ingress':[{'ports':[{'protocol':'ICMP','port':1}]}]}")
            .endsWith(
                "spec.ingress[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\""));
  }

  @Test
  void policyTypesAndSelectors() throws Exception {
    assertTrue(
        rejected("{'podSelector':{},'policyTypes':['Ingress','Sideways']}")
            .endsWith(
                "spec.policyTypes[1]: Unsupported value: \"Sideways\": supported values: \"Ingress\", \"Egress\""));
    assertTrue(
        rejected(
                "{'podSelector':{'matchExpressions':[{'key':'a','operator':'Like','values':['x']}]}}")
            .endsWith(
                "spec.podSelector.matchExpressions[0].operator: Invalid value: \"Like\": not a valid selector operator"));
    assertTrue(
        rejected(
                "{'podSelector':{},'ingress':[{'from':[{'namespaceSelector':{'matchExpressions':[{'key':'a','operator':'In'}]}}]}]}")
            .contains(
                "spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values: Required value"));
  }

  @Test
  void severalErrorsAreListed() throws Exception {
    String m = rejected("{'podSelector':{},'ingress':[{'ports':[{'port':0}],'from':[{}]}]}");
    assertTrue(
        m.startsWith(
            "NetworkPolicy.networking.k8s.io \"x\" is invalid: [spec.ingress[0].ports[0].port: Invalid value: 0"),
        m);
    assertTrue(m.contains("spec.ingress[0].from[0]: Required value: must specify a peer]"), m);
  }

  @Test
  void defaultsLikeTheApiServer() throws Exception {
    JsonNode np =
        service
            .create(
                ResourceRegistry.NETWORK_POLICIES,
                "team-a",
                netpol(
                    "{'podSelector':{},'ingress':[{'ports':[{'port':80}]}],'egress':[{'ports':[{'port':53,'protocol':'UDP'}]}]}"),
                false)
            .object();
    assertEquals("[\"Ingress\",\"Egress\"]", np.path("spec").path("policyTypes").toString());
    assertEquals("TCP", np.at("/spec/ingress/0/ports/0/protocol").asText());
    assertEquals("UDP", np.at("/spec/egress/0/ports/0/protocol").asText());
    ObjectNode only = netpol("{'podSelector':{'matchLabels':{'a':'b'}}}");
    Json.meta(only).put("name", "y");
    JsonNode ingressOnly =
        service.create(ResourceRegistry.NETWORK_POLICIES, "team-a", only, false).object();
    assertEquals("[\"Ingress\"]", ingressOnly.path("spec").path("policyTypes").toString());
  }

  @Test
  void missingNamespaceAndBadNames() throws Exception {
    ApiException e =
        assertThrows(
            ApiException.class,
            () ->
                service.create(
                    ResourceRegistry.NETWORK_POLICIES,
                    "nope",
                    netpol("{'podSelector':{}}"),
                    false));
    assertEquals(404, e.code());
    assertEquals("namespaces \"nope\" not found", e.getMessage());
    ObjectNode bad = netpol("{'podSelector':{}}");
    Json.meta(bad).put("name", "Bad_Name");
    assertTrue(
        assertThrows(
                ApiException.class,
                () -> service.create(ResourceRegistry.NETWORK_POLICIES, "team-a", bad, false))
            .getMessage()
            .contains(
                "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"));
  }

  @Test
  void serviceClusterIps() throws Exception {
    JsonNode v4 =
        service
            .create(
                ResourceRegistry.SERVICES,
                "team-a",
                obj("{'metadata':{'name':'a'},'spec':{'ports':[{'port':80}]}}"),
                false)
            .object();
    assertEquals("198.19.192.1", v4.at("/spec/clusterIP").asText());
    assertEquals(80, v4.at("/spec/ports/0/targetPort").asInt());
    assertEquals("TCP", v4.at("/spec/ports/0/protocol").asText());
    JsonNode dual =
        service
            .create(
                ResourceRegistry.SERVICES,
                "team-a",
                obj(
                    "{'metadata':{'name':'b'},'spec':{'ipFamilyPolicy':'RequireDualStack','ipFamilies':['IPv6','IPv4'],'ports':[{'port':80}]}}"),
                false)
            .object();
    assertEquals(
        "[\"fd00:198:18:5e::1\",\"198.19.192.2\"]", dual.at("/spec/clusterIPs").toString());
    assertTrue(
        assertThrows(
                ApiException.class,
                () ->
                    service.create(
                        ResourceRegistry.SERVICES,
                        "team-a",
                        obj(
                            "{'metadata':{'name':'c'},'spec':{'clusterIP':'10.0.0.1','ports':[{'port':80}]}}"),
                        false))
            .getMessage()
            .contains("spec.clusterIPs[0]: Invalid value: \"10.0.0.1\""));
  }
}
