package dev.netpol.resolver;

import static dev.netpol.resolver.Fixtures.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each kind of bad policy gives a ResolutionError naming the policy and the field; none throws. */
class BadInputTest {
  static final String HEAD =
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
          + "metadata: {namespace: x, name: allow}\n";

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      invalid cidr            | ingress: [{from: [{podSelector: {}}, {ipBlock: {cidr: 198.18.0.300/24}}]}]                  | spec.ingress[0].from[1].ipBlock.cidr
      prefix too long         | egress: [{to: [{ipBlock: {cidr: 198.18.0.0/33}}]}]                                            | spec.egress[0].to[0].ipBlock.cidr
      host name as cidr       | egress: [{to: [{ipBlock: {cidr: example.com/32}}]}]                                           | spec.egress[0].to[0].ipBlock.cidr
      except outside cidr     | ingress: [{from: [{podSelector: {}}, {ipBlock: {cidr: 198.18.0.0/24, except: [198.19.0.0/24]}}]}] | spec.ingress[0].from[1].ipBlock.except[0]
      except equal to cidr    | ingress: [{from: [{ipBlock: {cidr: 198.18.0.0/24, except: [198.18.0.0/24]}}]}]              | spec.ingress[0].from[0].ipBlock.except[0]
      except other family     | ingress: [{from: [{ipBlock: {cidr: 198.18.0.0/24, except: ['fd00:198:18::/64']}}]}]          | spec.ingress[0].from[0].ipBlock.except[0]
      port zero               | ingress: [{ports: [{port: 0}]}]                                                               | spec.ingress[0].ports[0].port
      port too big            | egress: [{ports: [{port: 80}, {port: 65536}]}]                                                 | spec.egress[0].ports[1].port
      endPort below port      | ingress: [{ports: [{port: 90, endPort: 80}]}]                                                 | spec.ingress[0].ports[0].endPort
      endPort too big         | ingress: [{ports: [{port: 90, endPort: 70000}]}]                                              | spec.ingress[0].ports[0].endPort
      endPort with named port | ingress: [{ports: [{port: http, endPort: 80}]}]                                               | spec.ingress[0].ports[0].endPort
      endPort without port    | ingress: [{ports: [{protocol: UDP, endPort: 80}]}]                                            | spec.ingress[0].ports[0].endPort
      invalid port name       | ingress: [{ports: [{port: Not_A_Name}]}]                                                      | spec.ingress[0].ports[0].port
      unknown protocol        | ingress: [{ports: [{protocol: ICMP, port: 1}]}]                                               | spec.ingress[0].ports[0].protocol
      unknown policy type     | policyTypes: [Ingress, Sideways]                                                              | spec.policyTypes[1]
      unknown operator        | podSelector: {matchExpressions: [{key: a, operator: Near, values: [b]}]}                      | spec.podSelector.matchExpressions[0].operator
      In without values       | ingress: [{from: [{podSelector: {matchExpressions: [{key: a, operator: In}]}}]}]              | spec.ingress[0].from[0].podSelector.matchExpressions[0].values
      Exists with values      | ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: a, operator: Exists, values: [b]}]}}]}] | spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values
      empty peer              | egress: [{to: [{}]}]                                                                          | spec.egress[0].to[0]
      ipBlock with selector   | egress: [{to: [{ipBlock: {cidr: 198.18.0.0/16}, podSelector: {}}]}]                           | spec.egress[0].to[0]
      """)
  void badFieldIsNamed(String what, String specBody, String field) {
    String yaml =
        HEAD
            + "spec: {"
            + (specBody.startsWith("podSelector:") ? "" : "podSelector: {}, ")
            + specBody
            + "}";
    Resolution r =
        new PolicyResolver()
            .resolve(PolicyResolverTest.cluster(List.of(), List.of()), policy(yaml));
    ResolutionError e = assertInstanceOf(ResolutionError.class, r, () -> what + ": " + r);
    assertEquals(field, e.field(), e.toString());
    assertTrue(e.toString().startsWith("netpol x/allow: " + field + ": "), e.toString());
    assertTrue(e.message().length() > 5, e.toString());
  }
}
