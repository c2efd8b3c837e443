package dev.netpol.ebpf.sdk;

import java.security.SecureRandom;

/** The per-run name prefix "nps" + 4 hex characters for netns, links and bpffs mounts. */
final class Names {
  private static final String PREFIX =
      String.format("nps%04x", new SecureRandom().nextInt(0x10000));

  private Names() {}

  static String prefix() {
    return PREFIX;
  }
}
