package dev.netpol.backend.ebpf.internal;

import dev.netpol.api.PodKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where netpol pins its kernel objects under the bpffs root (default /sys/fs/bpf/netpol):
 *
 * <pre>
 *   global/np_conntrack, global/np_events           node-wide maps
 *   pods/NAMESPACE/NAME/np_policy, np_pod            the pod's outer rule map and identity record
 *   pods/NAMESPACE/NAME/prog_ingress, prog_egress    its two programs (tc egress / tc ingress)
 * </pre>
 *
 * Pods are keyed by namespace/name (both DNS labels, so safe path segments), never by a prefix.
 */
public record Pins(Path root) {
  public static final String CONNTRACK = "np_conntrack";
  public static final String EVENTS = "np_events";
  public static final String POLICY = "np_policy";
  public static final String POD = "np_pod";
  public static final String PROG_INGRESS = "prog_ingress";
  public static final String PROG_EGRESS = "prog_egress";

  public Path global(String map) {
    return root.resolve("global").resolve(map);
  }

  public Path podDir(PodKey key) {
    for (String s : List.of(key.namespace(), key.name())) {
      if (s.contains("/") || s.equals(".") || s.equals("..") || s.length() > 253) {
        throw new IllegalArgumentException("pod " + key + ": not usable as a pin path segment");
      }
    }
    return root.resolve("pods").resolve(key.namespace()).resolve(key.name());
  }

  public List<PodKey> pods() {
    Path pods = root.resolve("pods");
    List<PodKey> out = new ArrayList<>();
    if (!Files.isDirectory(pods)) {
      return out;
    }
    try (Stream<Path> nss = Files.list(pods)) {
      for (Path ns : nss.toList()) {
        try (Stream<Path> names = Files.list(ns)) {
          names
              .filter(p -> Files.exists(p.resolve(POD)))
              .forEach(
                  p ->
                      out.add(new PodKey(ns.getFileName().toString(), p.getFileName().toString())));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.sort(null);
    return out;
  }

  /** Deletes a pin tree (bpffs unlink drops the pin; objects live on while referenced). */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
