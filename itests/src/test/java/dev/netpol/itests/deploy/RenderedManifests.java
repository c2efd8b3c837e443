package dev.netpol.itests.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The distribution's {@code manifests/} as {@code kubectl kustomize} renders them (what {@code
 * kubectl apply -k} would send), one JSON tree per object.
 */
public final class RenderedManifests {
  private final List<JsonNode> objects;

  private RenderedManifests(List<JsonNode> objects) {
    this.objects = objects;
  }

  /** The built distribution folder ({@code distribution/target/netpol}). */
  public static Path dist() {
    return Path.of(System.getProperty("netpol.dist", "../distribution/target/netpol"))
        .toAbsolutePath()
        .normalize();
  }

  /** Renders {@code dir} with the real kubectl (offline: kustomize is built into it). */
  public static RenderedManifests render(Path dir) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("kubectl", "kustomize", dir.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("kubectl kustomize " + dir + " failed");
    }
    List<JsonNode> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> it =
        new ObjectMapper(new YAMLFactory())
            .readerFor(JsonNode.class)
            .readValues(new String(out, StandardCharsets.UTF_8))) {
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isEmpty()) {
          objects.add(n);
        }
      }
    }
    return new RenderedManifests(objects);
  }

  public List<JsonNode> objects() {
    return objects;
  }

  /** The one object of this kind (and name, when not null); fails when there is not exactly one. */
  public JsonNode one(String kind, String name) {
    List<JsonNode> found =
        objects.stream()
            .filter(o -> o.path("kind").asText().equals(kind))
            .filter(o -> name == null || o.at("/metadata/name").asText().equals(name))
            .toList();
    if (found.size() != 1) {
      throw new AssertionError(
          "expected one " + kind + (name == null ? "" : " " + name) + ", found " + found.size());
    }
    return found.get(0);
  }
}
