package dev.netpol.backend.iptables.internal;

import dev.netpol.api.PodKey;
import dev.netpol.api.model.Direction;
import dev.netpol.netfilter.Family;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Kernel object names of one pod: {@code P-I-h}, {@code P-E-h} (its chains), {@code P-M-h} (its
 * identity record, never jumped to), sets {@code P-h-<I|E><rule><gen><4|6>}; {@code h} is 10 hex
 * digits of the SHA-256 of {@code namespace/name}, so names fit iptables' 28 and ipset's 31
 * characters whatever the pod is called.
 */
public record Names(String prefix, String hash) {
  public static Names of(String prefix, PodKey key) {
    return new Names(prefix, hash(key));
  }

  public static String hash(PodKey key) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256")
              .digest(key.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String toPod(String prefix) {
    return prefix + "-TO-POD";
  }

  public static String fromPod(String prefix) {
    return prefix + "-FROM-POD";
  }

  public String podChain(Direction d) {
    return prefix + (d == Direction.INGRESS ? "-I-" : "-E-") + hash;
  }

  public String infoChain() {
    return prefix + "-M-" + hash;
  }

  public String set(Direction d, int rule, char gen, Family f) {
    return prefix
        + "-"
        + hash
        + "-"
        + (d == Direction.INGRESS ? 'I' : 'E')
        + rule
        + gen
        + (f == Family.V4 ? '4' : '6');
  }

  /** Prefix of every set of this pod. */
  public String setPrefix() {
    return prefix + "-" + hash + "-";
  }
}
