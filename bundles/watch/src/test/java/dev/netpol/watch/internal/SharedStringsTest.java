package dev.netpol.watch.internal;

import static org.junit.jupiter.api.Assertions.*;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

class SharedStringsTest {
  private final KubernetesSerialization serialization = new KindMapping().serialization();

  private Pod pod(String name, String annotation) {
    return serialization.unmarshal(
        """
        {"apiVersion":"v1","kind":"Pod",
         "metadata":{"name":"%s","namespace":"shop","labels":{"app":"web","tier":"front"},
                     "annotations":{"note":"%s"},"finalizers":["netpol.dev/cleanup"]},
         "spec":{"nodeName":"node-1","containers":[{"name":"c","ports":[{"containerPort":80}]}]},
         "status":{"podIP":"198.18.0.7","podIPs":[{"ip":"198.18.0.7"}]}}
        """
            .formatted(name, annotation),
        Pod.class);
  }

  @Test
  void repeatedValuesKeysAndListElementsAreOneInstance() {
    Pod a = pod("web-1", "x");
    Pod b = pod("web-2", "x");
    assertSame(a.getMetadata().getNamespace(), b.getMetadata().getNamespace());
    assertSame(a.getSpec().getNodeName(), b.getSpec().getNodeName());
    assertSame(a.getStatus().getPodIPs().get(0).getIp(), b.getStatus().getPodIPs().get(0).getIp());
    assertSame(a.getStatus().getPodIP(), b.getStatus().getPodIPs().get(0).getIp());
    assertSame(a.getMetadata().getLabels().get("app"), b.getMetadata().getLabels().get("app"));
    String keyA = a.getMetadata().getLabels().keySet().iterator().next();
    String keyB = b.getMetadata().getLabels().keySet().iterator().next();
    assertEquals("app", keyA);
    assertSame(keyA, keyB);
    assertSame(a.getMetadata().getFinalizers().get(0), b.getMetadata().getFinalizers().get(0));
  }

  @Test
  void valuesAreReadAsBefore() {
    Pod a = pod("web-1", "x");
    assertEquals("web-1", a.getMetadata().getName());
    assertEquals(java.util.Map.of("app", "web", "tier", "front"), a.getMetadata().getLabels());
    assertEquals(80, a.getSpec().getContainers().get(0).getPorts().get(0).getContainerPort());
    // a number where a string is expected is still coerced, and shared
    Pod c =
        serialization.unmarshal(
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":12}}", Pod.class);
    Pod d =
        serialization.unmarshal(
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":12}}", Pod.class);
    assertEquals("12", c.getMetadata().getName());
    assertSame(c.getMetadata().getName(), d.getMetadata().getName());
  }

  @Test
  void longStringsAreNotKept() {
    String longValue = "v".repeat(SharedStrings.MAX_LENGTH + 1);
    Pod a = pod("web-1", longValue);
    Pod b = pod("web-2", longValue);
    assertEquals(longValue, a.getMetadata().getAnnotations().get("note"));
    assertNotSame(
        a.getMetadata().getAnnotations().get("note"), b.getMetadata().getAnnotations().get("note"));
  }
}
