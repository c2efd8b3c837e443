package dev.netpol.serviceproxy.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The iptables tools of one flavour. Mixing iptables-legacy and iptables-nft on one host is a real
 * failure mode (rules in both, evaluated in an order nobody sees), so the flavour is whatever plain
 * {@code iptables} is, and every tool used is that flavour's explicit binary.
 */
final class Iptables {
  private static final Logger LOG = LoggerFactory.getLogger(Iptables.class);
  final String flavour;

  private Iptables(String flavour) {
    this.flavour = flavour;
  }

  /** Asks {@code iptables -V}: "(nf_tables)" or "(legacy)". */
  static Iptables detect() {
    String v = Shell.check(List.of("iptables", "-V"), null);
    String flavour = v.contains("nf_tables") ? "nft" : v.contains("legacy") ? "legacy" : "";
    LOG.info("iptables is {}", v.strip());
    return new Iptables(flavour);
  }

  /**
   * e.g. {@code iptables-nft-restore}, or the plain name when the flavoured one is not installed.
   */
  String binary(Family f, String suffix) {
    String plain = f.tool + suffix;
    if (flavour.isEmpty()) {
      return plain;
    }
    String named = f.tool + "-" + flavour + suffix;
    for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
      if (Files.isExecutable(Path.of(dir, named))) {
        return named;
      }
    }
    return plain;
  }

  /** Names of the nat chains that start with {@code prefix}. */
  List<String> natChains(Family f, String prefix) {
    List<String> out = new ArrayList<>();
    for (String line : Shell.check(List.of(binary(f, "-save"), "-t", "nat"), null).split("\n")) {
      if (line.startsWith(":" + prefix)) {
        out.add(line.substring(1, line.indexOf(' ')));
      }
    }
    return out;
  }

  /** One atomic transaction on the nat table that leaves other chains alone. */
  void restore(Family f, String text) {
    Shell.check(List.of(binary(f, "-restore"), "-w", "5", "--noflush"), text);
  }

  /** Inserts {@code rule} at the top of built-in {@code chain} unless it is there already. */
  void ensureJump(Family f, String chain, List<String> rule) {
    List<String> check = cmd(f, "-C", chain, rule);
    if (!Shell.run(check, null).ok()) {
      Shell.check(cmd(f, "-I", chain, rule), null);
    }
  }

  /** Deletes every copy of {@code rule} from {@code chain}. */
  void deleteJump(Family f, String chain, List<String> rule) {
    for (int i = 0; i < 10 && Shell.run(cmd(f, "-D", chain, rule), null).ok(); i++) {
      // repeat: a crash between -C and -I elsewhere could have left a duplicate
    }
  }

  private List<String> cmd(Family f, String op, String chain, List<String> rule) {
    List<String> c = new ArrayList<>(List.of(binary(f, ""), "-w", "5", "-t", "nat", op, chain));
    c.addAll(rule);
    return c;
  }
}
