package dev.netpol.itests.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String spec(Policy p) throws Exception {
    return JSON.writeValueAsString(p.toObject("ns").get("spec"));
  }

  @Test
  void noRulesIsDenyWithTheDirectionInPolicyTypes() throws Exception {
    assertEquals(
        "{\"podSelector\":{},\"policyTypes\":[\"Ingress\"]}",
        spec(Policy.named("deny-ingress", Selector.empty()).ingress()));
    assertEquals(
        "{\"podSelector\":{},\"policyTypes\":[\"Ingress\",\"Egress\"]}",
        spec(Policy.named("deny-all", Selector.empty()).ingress().egress()));
  }

  @Test
  void anEmptyRuleAllowsAll() throws Exception {
    assertEquals(
        "{\"podSelector\":{},\"ingress\":[{}],\"policyTypes\":[\"Ingress\"]}",
        spec(Policy.withPodLabels("allow-all").ingress(PolicyRule.all())));
  }

  @Test
  void updateKeepsPolicyTypes() throws Exception {
    Policy p = Policy.withPodLabels("p").ingress(PolicyRule.all()).replaceIngress();
    assertEquals("{\"podSelector\":{},\"policyTypes\":[\"Ingress\"]}", spec(p));
  }

  @Test
  void peersPortsAndSelectorsHaveTheApiShape() throws Exception {
    Policy p =
        Policy.withPodLabels("x", "pod", "a")
            .ingress(
                PolicyRule.peers(
                    PolicyPeer.pods(Selector.labels("pod", "b")),
                    PolicyPeer.namespacesAndPods(
                        Selector.expression("kubernetes.io/metadata.name", "NotIn", "x1"),
                        Selector.expression("pod", "In", "b", "c"))))
            .egress(
                PolicyRule.ports(
                    PolicyPort.number(80),
                    PolicyPort.named("serve-80-tcp"),
                    PolicyPort.number(81, Protocol.SCTP),
                    PolicyPort.protocol(Protocol.TCP)),
                PolicyRule.peers(PolicyPeer.ipBlock("0.0.0.0/4", "10.0.0.11/32")))
            .policyTypes("Egress", "Ingress");
    assertEquals(
        "{\"podSelector\":{\"matchLabels\":{\"pod\":\"a\"}},"
            + "\"ingress\":[{\"from\":[{\"podSelector\":{\"matchLabels\":{\"pod\":\"b\"}}},"
            + "{\"podSelector\":{\"matchExpressions\":[{\"key\":\"pod\",\"operator\":\"In\",\"values\":[\"b\",\"c\"]}]},"
            + "\"namespaceSelector\":{\"matchExpressions\":[{\"key\":\"kubernetes.io/metadata.name\",\"operator\":\"NotIn\","
            + "\"values\":[\"x1\"]}]}}]}],"
            + "\"egress\":[{\"ports\":[{\"port\":80},{\"port\":\"serve-80-tcp\"},{\"protocol\":\"SCTP\",\"port\":81},"
            + "{\"protocol\":\"TCP\"}]},{\"to\":[{\"ipBlock\":{\"cidr\":\"0.0.0.0/4\",\"except\":[\"10.0.0.11/32\"]}}]}],"
            + "\"policyTypes\":[\"Egress\",\"Ingress\"]}",
        spec(p));
  }

  @Test
  void objectCarriesNameNamespaceAndTheSuitesLabel() throws Exception {
    assertEquals(
        "{\"name\":\"deny\",\"namespace\":\"netpol-x-1\",\"labels\":{\"conformance.netpol.dev/managed\":\"true\"}}",
        JSON.writeValueAsString(
            Policy.named("deny", Selector.empty())
                .ingress()
                .toObject("netpol-x-1")
                .get("metadata")));
    assertEquals(
        List.of("Ingress"), Policy.named("d", Selector.empty()).ingress().ingress().policyTypes());
  }
}
