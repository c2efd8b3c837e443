package dev.netpol.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFileTest {
  @TempDir Path dir;

  @Test
  void roundTripAndATornTempFileIsIgnored() throws Exception {
    StateFile file = new StateFile(dir);
    assertNull(file.load());
    ObjectNode ns = Json.object().put("kind", "Namespace");
    ns.putObject("metadata").put("name", "a");
    file.save(new ObjectStore.Snapshot(42, Map.of("/namespaces", List.of(ns))));
    // a crash in the middle of the next save leaves a partial temp file and the old state
    Files.writeString(
        dir.resolve(StateFile.NAME + ".tmp"), "{\"resourceVersion\":43,\"objects\":{\"/names");
    StateFile.Loaded loaded = new StateFile(dir).load();
    assertEquals(42, loaded.resourceVersion());
    assertEquals("a", Json.name(loaded.objects().get("/namespaces").get(0)));
    file.save(new ObjectStore.Snapshot(43, Map.of()));
    assertEquals(43, file.load().resourceVersion());
  }
}
