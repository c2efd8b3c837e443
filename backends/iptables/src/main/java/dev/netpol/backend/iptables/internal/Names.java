package dev.netpol.backend.iptables.internal;

import dev.netpol.api.PodKey;
import dev.netpol.api.model.Direction;
import dev.netpol.netfilter.Family;
import dev.netpol.netfilter.IpSet;
import dev.netpol.netfilter.SavedRule;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kernel object names of one pod: {@code P-I-h}, {@code P-E-h} (its chains), {@code P-M-h} (its
 * identity record, never jumped to); {@code h} is 10 hex digits of the SHA-256 of {@code
 * namespace/name}, so names fit iptables' 28 characters whatever the pod is called. Peer sets are
 * named by their content, {@code P-S<16 hex>} ({@link #peerSet}), and shared by every rule of every
 * pod on the node with the same members.
 */
public record Names(String prefix, String hash) {
  public static Names of(String prefix, PodKey key) {
    return new Names(prefix, hash(key));
  }

  public static String hash(PodKey key) {
    return sha256Hex(5, List.of(key.toString()));
  }

  /** The first {@code bytes} bytes, in hex, of the SHA-256 of the parts one after the other. */
  static String sha256Hex(int bytes, List<String> parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String part : parts) {
        md.update(part.getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(md.digest(), 0, bytes);
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

  /**
   * The name of the peer set with these members: 16 hex digits of the SHA-256 of the family and the
   * members in canonical (sorted) order, so equal contents get one name and one set.
   */
  public static String peerSet(String prefix, Family f, List<IpSet.Member> sortedMembers) {
    List<String> parts = new ArrayList<>(List.of(f.setFamily()));
    sortedMembers.forEach(m -> parts.add("\n" + m));
    return prefix + "-S" + sha256Hex(8, parts);
  }

  /** Whether a set name is a peer set of this prefix. */
  public static boolean isPeerSet(String prefix, String name) {
    return name.startsWith(prefix + "-S") && name.length() == prefix.length() + 18;
  }

  /** The sets a saved chain's rules match ({@code --match-set NAME}). */
  public static Set<String> setsMatched(Collection<SavedRule> rules) {
    Set<String> out = new TreeSet<>();
    for (SavedRule r : rules) {
      Matcher m = MATCH_SET.matcher(r.spec());
      while (m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  private static final Pattern MATCH_SET = Pattern.compile("--match-set (\\S+)");
}
