package dev.netpol.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The EndpointSlice controller run synchronously against a real store. */
class EndpointSliceControllerTest {
  private ResourceService service;
  private EndpointSliceController controller;

  @BeforeEach
  void setUp() throws Exception {
    service = new ResourceService(new ObjectStore(), new ResourceRegistry());
    controller = new EndpointSliceController(service);
    service.create(ResourceRegistry.NAMESPACES, null, obj("{'metadata':{'name':'eps'}}"), false);
  }

  private static ObjectNode obj(String s) throws Exception {
    return (ObjectNode) Json.MAPPER.readTree(s.replace('\'', '"'));
  }

  private void runningPod(String name, String port, String... ips) throws Exception {
    service.create(
        ResourceRegistry.PODS,
        "eps",
        obj(
            "{'metadata':{'name':'"
                + name
                + "','labels':{'app':'web'}},'spec':{'nodeName':'n1',"
                + "'containers':[{'name':'c','ports':[{'name':'http','containerPort':"
                + port
                + "}]}]}}"),
        false);
    StringBuilder podIps = new StringBuilder();
    for (String ip : ips) {
      podIps.append(podIps.length() == 0 ? "" : ",").append("{'ip':'").append(ip).append("'}");
    }
    service.patch(
        ResourceRegistry.PODS,
        "eps",
        name,
        ResourceService.PatchType.MERGE,
        ("{'status':{'phase':'Running','podIP':'"
                + ips[0]
                + "','podIPs':["
                + podIps
                + "],"
                + "'conditions':[{'type':'Ready','status':'True'}]}}")
            .replace('\'', '"')
            .getBytes(),
        true,
        false);
  }

  /** addressType + ports -> sorted addresses. */
  private Map<String, String> slices() {
    Map<String, String> out = new TreeMap<>();
    for (ObjectNode s : service.store().list(ResourceRegistry.ENDPOINT_SLICES, "eps")) {
      StringBuilder ips = new StringBuilder();
      for (JsonNode e : s.path("endpoints")) {
        ips.append(e.at("/addresses/0").asText())
            .append(e.at("/conditions/ready").asBoolean() ? "" : "(unready)")
            .append(' ');
      }
      out.put(
          s.path("addressType").asText() + " " + s.path("ports").toString(), ips.toString().trim());
    }
    return out;
  }

  @Test
  void dualStackServiceWithNamedTargetPort() throws Exception {
    service.create(
        ResourceRegistry.SERVICES,
        "eps",
        obj(
            "{'metadata':{'name':'web'},'spec':{'ipFamilyPolicy':'PreferDualStack',"
                + "'selector':{'app':'web'},'ports':[{'name':'h','port':80,'targetPort':'http'}]}}"),
        false);
    runningPod("a", "8080", "198.18.99.1", "fd00:198:18:99::1");
    runningPod("b", "8080", "198.18.99.2", "fd00:198:18:99::2");
    runningPod("c", "9090", "198.18.99.3");
    controller.reconcile("eps");
    assertEquals(
        Map.of(
            "IPv4 [{\"name\":\"h\",\"port\":8080,\"protocol\":\"TCP\"}]", "198.18.99.1 198.18.99.2",
            "IPv4 [{\"name\":\"h\",\"port\":9090,\"protocol\":\"TCP\"}]", "198.18.99.3",
            "IPv6 [{\"name\":\"h\",\"port\":8080,\"protocol\":\"TCP\"}]",
                "fd00:198:18:99::1 fd00:198:18:99::2"),
        slices());
    ObjectNode any = service.store().list(ResourceRegistry.ENDPOINT_SLICES, "eps").get(0);
    assertEquals("web", Json.labels(any).get("kubernetes.io/service-name"));
    assertEquals("Service", any.at("/metadata/ownerReferences/0/kind").asText());
    JsonNode ep = any.at("/endpoints/0");
    assertEquals("Pod", ep.at("/targetRef/kind").asText());
    assertEquals("n1", ep.path("nodeName").asText());

    service.patch(
        ResourceRegistry.PODS,
        "eps",
        "b",
        ResourceService.PatchType.MERGE,
        "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"}]}}".getBytes(),
        true,
        false);
    service.delete(ResourceRegistry.PODS, "eps", "c", null, false);
    controller.reconcile("eps");
    assertEquals(
        Map.of(
            "IPv4 [{\"name\":\"h\",\"port\":8080,\"protocol\":\"TCP\"}]",
                "198.18.99.1 198.18.99.2(unready)",
            "IPv6 [{\"name\":\"h\",\"port\":8080,\"protocol\":\"TCP\"}]",
                "fd00:198:18:99::1 fd00:198:18:99::2(unready)"),
        slices());
  }

  @Test
  void reconcileIsStable() throws Exception {
    service.create(
        ResourceRegistry.SERVICES,
        "eps",
        obj("{'metadata':{'name':'web'},'spec':{'selector':{'app':'web'},'ports':[{'port':80}]}}"),
        false);
    runningPod("a", "8080", "198.18.99.1");
    controller.reconcile("eps");
    long rv = service.store().resourceVersion();
    controller.reconcile("eps");
    assertEquals(rv, service.store().resourceVersion(), "nothing to change, nothing written");
    List<ObjectNode> slices = service.store().list(ResourceRegistry.ENDPOINT_SLICES, "eps");
    assertEquals(1, slices.size());
    assertTrue(Json.name(slices.get(0)).startsWith("web-"));
    assertEquals(
        80, slices.get(0).at("/ports/0/port").asInt(), "numeric targetPort defaults to port");
  }
}
