package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The snapshot: one JSON file holding the resourceVersion counter and every object, as of one point
 * of the write-ahead log ({@link WriteAheadLog}). Written to a temp file, fsynced, then atomically
 * renamed over the old one (and the directory fsynced), so a crash at any point leaves either the
 * previous or the new complete snapshot.
 */
public final class StateFile {
  public static final String NAME = "apiserver-state.json";

  private final Path file;

  public StateFile(Path dataDir) {
    this.file = dataDir.resolve(NAME);
  }

  public Path path() {
    return file;
  }

  /** Saves the snapshot durably; returns its size in bytes. */
  public long save(ObjectStore.Snapshot snapshot) throws IOException {
    ObjectNode root = Json.object().put("resourceVersion", snapshot.resourceVersion());
    ObjectNode objects = root.putObject("objects");
    snapshot
        .objects()
        .forEach(
            (key, list) -> {
              ArrayNode arr = objects.putArray(key);
              list.forEach(arr::add);
            });
    byte[] bytes = Json.bytes(root);
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(NAME + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(file.getParent());
    return bytes.length;
  }

  /** Makes a rename or a new file in dir durable. */
  static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // not every file system lets a directory be opened for fsync
    }
  }

  /** The saved state, or null when there is none yet. */
  public Loaded load() throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    JsonNode root = Json.MAPPER.readTree(file.toFile());
    Map<String, List<ObjectNode>> objects = new LinkedHashMap<>();
    root.path("objects")
        .properties()
        .forEach(
            e -> {
              List<ObjectNode> list = new ArrayList<>();
              e.getValue().forEach(o -> list.add((ObjectNode) o));
              objects.put(e.getKey(), list);
            });
    return new Loaded(root.path("resourceVersion").asLong(), objects);
  }

  public record Loaded(long resourceVersion, Map<String, List<ObjectNode>> objects) {}
}
