package dev.netpol.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectStoreTest {
  private static ObjectNode cm(String name, String value) {
    ObjectNode o = Json.object().put("apiVersion", "v1").put("kind", "ConfigMap");
    o.putObject("metadata").put("name", name).put("namespace", "ns");
    o.putObject("data").put("k", value);
    return o;
  }

  @Test
  void resourceVersionsAreGlobalAndNoOpUpdatesKeepThem() {
    ObjectStore store = new ObjectStore();
    ResourceType t = ResourceRegistry.CONFIGMAPS;
    assertEquals("1", store.create(t, cm("a", "1")).at("/metadata/resourceVersion").asText());
    assertEquals("2", store.create(t, cm("b", "1")).at("/metadata/resourceVersion").asText());
    ObjectNode same = store.update(t, cm("a", "1"), "1");
    assertEquals("1", same.at("/metadata/resourceVersion").asText());
    assertSame(store.get(t, "ns", "a"), same);
    assertEquals("3", store.update(t, cm("a", "2"), "1").at("/metadata/resourceVersion").asText());
    assertEquals(
        409, assertThrows(ApiException.class, () -> store.update(t, cm("a", "3"), "1")).code());
    assertEquals(409, assertThrows(ApiException.class, () -> store.create(t, cm("a", "3"))).code());
    assertEquals(
        "4",
        store.delete(t, "ns", "a", null).at("/metadata/resourceVersion").asText(),
        "DELETED carries the deletion's RV");
  }

  @Test
  void subscribeReplaysHistoryAfterTheGivenVersionOrFailsWithGone() {
    ObjectStore store = new ObjectStore();
    ResourceType t = ResourceRegistry.CONFIGMAPS;
    store.load(100, Map.of(t.storageKey(), List.of(cm("old", "x"))));
    store.create(t, cm("a", "1"));
    store.update(t, cm("a", "2"), null);
    List<StoreEvent> live = new ArrayList<>();
    List<StoreEvent> backlog = store.subscribe(t.storageKey(), 101L, live::add).backlog();
    assertEquals(List.of("MODIFIED"), backlog.stream().map(StoreEvent::type).toList());
    assertEquals(2, store.subscribe(t.storageKey(), 100L, e -> {}).backlog().size());
    assertEquals(
        2,
        store.subscribe(t.storageKey(), null, e -> {}).backlog().size(),
        "current state: old and a");
    ApiException gone =
        assertThrows(ApiException.class, () -> store.subscribe(t.storageKey(), 99L, e -> {}));
    assertEquals(410, gone.code());
    store.delete(t, "ns", "a", null);
    assertEquals(List.of("DELETED"), live.stream().map(StoreEvent::type).toList());
  }
}
