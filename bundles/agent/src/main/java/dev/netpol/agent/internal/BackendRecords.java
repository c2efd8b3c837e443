package dev.netpol.agent.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which backends hold kernel state programmed by this agent, and how to release each one without
 * its bundle: one file per backend under {@code DIR/agent/backends/NAME}, holding the {@code
 * bin/netpol} arguments the backend advertised in its {@value #RELEASE_PROPERTY} service property
 * (one per line; empty when it advertised none).
 *
 * <p>A backend is recorded before the agent first programs it and forgotten once its state is
 * released. So after a crash, a restart, or a backend bundle that stopped for good, the agent still
 * knows whose state is left in the kernel and releases it once another backend has taken over. The
 * records live in the agent's data dir, so agents of several nodes on one machine never release
 * each other's state.
 */
final class BackendRecords {
  /**
   * Service property of an {@code EnforcementBackend}: the {@code bin/netpol} arguments that
   * release its kernel state out of process (String[] or one whitespace-separated String), e.g.
   * {@code ebpf release --root /sys/fs/bpf/netpol}.
   */
  static final String RELEASE_PROPERTY = dev.netpol.api.ServedBackend.RELEASE_PROPERTY;

  private static final Logger LOG = LoggerFactory.getLogger(BackendRecords.class);
  private final Path dir;
  private final Map<String, List<String>> records = new TreeMap<>();

  /** Records kept in {@code dir}; {@code null} keeps them in memory only (no data dir). */
  BackendRecords(Path dir) {
    this.dir = dir;
    if (dir != null && Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        for (Path f :
            s.filter(Files::isRegularFile)
                .filter(f -> !f.getFileName().toString().startsWith("."))
                .toList()) {
          List<String> args =
              Files.readAllLines(f, StandardCharsets.UTF_8).stream()
                  .filter(l -> !l.isEmpty())
                  .toList();
          records.put(f.getFileName().toString(), args);
        }
      } catch (IOException e) {
        LOG.warn("backend records in {} unreadable: {}", dir, e.getMessage());
      }
    }
  }

  /** The release arguments a backend advertises in its service properties. */
  static List<String> releaseArgs(Map<String, Object> properties) {
    Object v = properties.get(RELEASE_PROPERTY);
    if (v instanceof String[] a) {
      return List.of(a);
    }
    if (v instanceof String s && !s.isBlank()) {
      return List.of(s.trim().split("\\s+"));
    }
    return List.of();
  }

  synchronized Map<String, List<String>> all() {
    return Map.copyOf(records);
  }

  synchronized Optional<List<String>> get(String backend) {
    return Optional.ofNullable(records.get(backend));
  }

  /**
   * Notes that {@code backend} is about to hold state, releasable with {@code args}. If it was
   * recorded with other arguments (the same backend started on other kernel objects, e.g. another
   * pin root), the earlier state is kept as a leftover {@code NAME.N} to be released after the
   * hand-over.
   */
  synchronized void record(String backend, List<String> args) {
    List<String> before = records.get(backend);
    if (args.equals(before)) {
      return;
    }
    if (before != null && !before.isEmpty()) {
      int n = 1;
      while (records.containsKey(backend + "." + n)) {
        n++;
      }
      write(backend + "." + n, before);
      LOG.info(
          "backend {}: recorded with other release arguments before ({}); that state is released"
              + " once the new one is verified",
          backend,
          String.join(" ", before));
    }
    write(backend, args);
  }

  private void write(String backend, List<String> args) {
    records.put(backend, List.copyOf(args));
    if (dir == null) {
      return;
    }
    try {
      Files.createDirectories(dir);
      Path f = dir.resolve(safe(backend));
      Path tmp = dir.resolve("." + safe(backend) + ".tmp");
      Files.writeString(
          tmp, args.isEmpty() ? "" : String.join("\n", args) + "\n", StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      Files.move(
          tmp,
          f,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("backend {}: cannot record it in {}: {}", backend, dir, e.getMessage());
    }
  }

  /** Notes that {@code backend}'s state is released. */
  synchronized void forget(String backend) {
    if (records.remove(backend) == null || dir == null) {
      return;
    }
    try {
      Files.deleteIfExists(dir.resolve(safe(backend)));
    } catch (IOException e) {
      LOG.warn("backend {}: cannot remove its record in {}: {}", backend, dir, e.getMessage());
    }
  }

  private static String safe(String name) {
    if (!name.matches("[A-Za-z0-9][-A-Za-z0-9_.]*")) {
      throw new IllegalArgumentException("backend name '" + name + "' is not a plain name");
    }
    return name;
  }
}
