package dev.netpol.lab.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The lab's state file, {@code DATA/state.json}, read and written under an exclusive file lock so
 * two {@code netpol lab} invocations at once do not lose each other's pods.
 */
public final class StateStore {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private final Path dir;

  public StateStore(Path dir) {
    this.dir = dir;
  }

  public Path file() {
    return dir.resolve("state.json");
  }

  /** An open channel holding the exclusive lock; closing it releases the lock. */
  public FileChannel lock() {
    try {
      Files.createDirectories(dir);
      FileChannel ch =
          FileChannel.open(
              dir.resolve("state.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      ch.lock();
      return ch;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + dir.resolve("state.lock"), e);
    }
  }

  /** The saved state, or null when the lab has made nothing. */
  public LabState load() {
    Path f = file();
    if (!Files.exists(f)) {
      return null;
    }
    try {
      return JSON.readValue(f.toFile(), LabState.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the lab state " + f + " (fix or remove it)", e);
    }
  }

  /** Writes atomically (temp file + rename); an empty lab deletes the file. */
  public void save(LabState state) {
    try {
      if (state.pods().isEmpty() && state.createdNamespaces().isEmpty()) {
        Files.deleteIfExists(file());
        return;
      }
      Path tmp = dir.resolve("state.json.tmp");
      JSON.writeValue(tmp.toFile(), state);
      Files.move(tmp, file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the lab state " + file(), e);
    }
  }
}
