package dev.netpol.watch.internal;

import static org.junit.jupiter.api.Assertions.*;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

/** The client's serialization maps only the kinds netpol registers to classes. */
class SerializationKindsTest {
  private static final String POD_EVENT =
      "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
          + "\"metadata\":{\"name\":\"a\",\"namespace\":\"n\"}}}";

  @Test
  void anUnregisteredKindIsReadGenericallyAndAnErrorAsStatus() {
    KubernetesSerialization s = new KindMapping().serialization();
    assertNull(s.getRegisteredKubernetesResource("v1", "Pod"));
    assertInstanceOf(
        GenericKubernetesResource.class, s.unmarshal(POD_EVENT, WatchEvent.class).getObject());
    WatchEvent error =
        s.unmarshal(
            "{\"type\":\"ERROR\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Status\","
                + "\"code\":410,\"reason\":\"Expired\"}}",
            WatchEvent.class);
    assertEquals(410, assertInstanceOf(Status.class, error.getObject()).getCode());
  }

  @Test
  void aRegisteredKindIsReadAsItsClass() {
    KindMapping kinds = new KindMapping();
    KubernetesSerialization s = kinds.serialization();
    kinds.register(Pod.class);
    assertInstanceOf(Pod.class, s.unmarshal(POD_EVENT, WatchEvent.class).getObject());
  }
}
