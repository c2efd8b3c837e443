package dev.netpol.ebpf.sdk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Compiles src/test/bpf/NAME.bpf.c with clang into target/test-bpf/NAME.o, once per JVM. */
final class TestObjects {
  private static final Path SRC = Path.of("src/test/bpf");
  private static final Path OUT = Path.of("target/test-bpf");
  private static final ConcurrentHashMap<String, Path> BUILT = new ConcurrentHashMap<>();

  private TestObjects() {}

  static Path sdkTest() {
    return compile("sdk_test");
  }

  static Path bad() {
    return compile("bad");
  }

  static Path compile(String name) {
    return BUILT.computeIfAbsent(name, TestObjects::clang);
  }

  private static Path clang(String name) {
    try {
      Files.createDirectories(OUT);
      Path out = OUT.resolve(name + ".o").toAbsolutePath();
      Process p =
          new ProcessBuilder(
                  "clang",
                  "-target",
                  "bpf",
                  "-O2",
                  "-g",
                  "-Wall",
                  "-I/usr/include/x86_64-linux-gnu",
                  "-c",
                  SRC.resolve(name + ".bpf.c").toString(),
                  "-o",
                  out.toString())
              .redirectErrorStream(true)
              .start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("clang failed for " + name + ":\n" + output);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run clang for " + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
