package dev.netpol.agent.internal;

import static org.junit.jupiter.api.Assertions.*;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalPodTest {
  private static final String POD =
      """
      {"apiVersion":"v1","kind":"Pod",
       "metadata":{"name":"web-1","namespace":"shop","labels":{"app":"web"},"uid":"u1"},
       "spec":{"nodeName":"node-1","hostNetwork":%s,
               "containers":[{"name":"c","image":"x","ports":[{"name":"http","containerPort":80}],
                              "readinessProbe":{"httpGet":{"path":"/","port":80}}}],
               "volumes":[{"name":"v","emptyDir":{}}],"affinity":{"nodeAffinity":{}}},
       "status":{"phase":"%s","podIP":"198.18.0.7",
                 "podIPs":[{"ip":"198.18.0.7"},{"ip":"fd00:198:18::7"}],
                 "conditions":[{"type":"Ready","status":"True"}]}}
      """;

  private final KubernetesSerialization json = new KubernetesSerialization();

  @Test
  void aFullPodReadsAsTheFieldsTheAgentUses() throws Exception {
    LocalPod p = json.unmarshal(POD.formatted("false", "Running"), LocalPod.class);
    assertEquals("shop", p.getMetadata().getNamespace());
    assertEquals("web-1", p.getMetadata().getName());
    assertEquals("Pod", p.getKind());
    assertEquals(
        List.of(InetAddress.getByName("198.18.0.7"), InetAddress.getByName("fd00:198:18::7")),
        PodReconciler.enforceableAddresses(p));
    // the way an informer gets it when the kind is not claimed: generic, then converted
    GenericKubernetesResource g =
        json.unmarshal(POD.formatted("false", "Running"), GenericKubernetesResource.class);
    LocalPod converted = json.convertValue(g, LocalPod.class);
    assertEquals(
        PodReconciler.enforceableAddresses(p), PodReconciler.enforceableAddresses(converted));
  }

  @Test
  void hostNetworkAndFinishedPodsAreNotEnforced() {
    assertEquals(
        List.of(),
        PodReconciler.enforceableAddresses(
            json.unmarshal(POD.formatted("true", "Running"), LocalPod.class)));
    assertEquals(
        List.of(),
        PodReconciler.enforceableAddresses(
            json.unmarshal(POD.formatted("false", "Succeeded"), LocalPod.class)));
  }

  @Test
  void itIsAddressedAsThePodsOfTheCoreGroup() {
    assertEquals("v1", HasMetadata.getApiVersion(LocalPod.class));
    assertEquals("Pod", HasMetadata.getKind(LocalPod.class));
    assertEquals("pods", HasMetadata.getPlural(LocalPod.class));
    assertEquals("", HasMetadata.getGroup(LocalPod.class));
  }
}
