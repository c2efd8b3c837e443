package dev.netpol.backend.ebpf.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The compiled datapath (netpol.o) and its digest. Taken from {@code netpol.bpf.dir} if set (the
 * build tree), else from the netpol-bpf bundle's {@code bpf/netpol.o} resource copied to a file
 * (libbpf opens files).
 */
public record DatapathObject(Path file, String digest) {
  public static final String INGRESS_PROGRAM = "netpol_ingress";
  public static final String EGRESS_PROGRAM = "netpol_egress";

  public static DatapathObject locate() {
    try {
      String dir = System.getProperty("netpol.bpf.dir");
      if (dir != null && Files.exists(Path.of(dir, "netpol.o"))) {
        return of(Path.of(dir, "netpol.o"));
      }
      try (InputStream in =
          DatapathObject.class.getClassLoader().getResourceAsStream("bpf/netpol.o")) {
        if (in == null) {
          throw new IllegalStateException(
              "bpf/netpol.o not found: is the netpol-bpf bundle installed?");
        }
        Path tmp = Files.createTempFile("netpol-", ".bpf.o");
        tmp.toFile().deleteOnExit();
        Files.write(tmp, in.readAllBytes());
        return of(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static DatapathObject of(Path file) throws IOException {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
      return new DatapathObject(file, HexFormat.of().formatHex(h, 0, 12));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
