package dev.netpol.policyendpoint;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The per-node label on PolicyEndpoints. The controller puts {@code keyFor(node): ""} on every
 * chunk of a policy that selects a pod on that node; the agent of that node watches with the label
 * selector {@link #selectorFor(String)} and so never caches other nodes' objects.
 */
public final class NodeLabels {
  public static final String PREFIX = "node." + PolicyEndpoint.GROUP + "/";

  /** A label key's name part is at most 63 characters. */
  static final int MAX_NAME = 63;

  private static final int HASH_CHARS = 12;
  private static final Pattern VALID_NAME =
      Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");

  private NodeLabels() {}

  /**
   * The label key for a node. Names that fit a label name stay as they are; longer ones become
   * their first 50 characters, "_" and 12 hex digits of their SHA-256. Node names are DNS
   * subdomains and never contain "_", so a hashed key cannot equal a plain one.
   */
  public static String keyFor(String nodeName) {
    if (nodeName == null || nodeName.isEmpty()) {
      throw new IllegalArgumentException("node name is empty");
    }
    if (nodeName.length() <= MAX_NAME && VALID_NAME.matcher(nodeName).matches()) {
      return PREFIX + nodeName;
    }
    String head =
        nodeName
            .substring(0, Math.min(nodeName.length(), MAX_NAME - HASH_CHARS - 1))
            .replaceAll("[^-A-Za-z0-9_.]", "-");
    if (!head.isEmpty() && !Character.isLetterOrDigit(head.charAt(0))) {
      head = "n" + head.substring(1);
    }
    return PREFIX + head + "_" + sha256Hex(nodeName).substring(0, HASH_CHARS);
  }

  /** The label selector string an agent on {@code nodeName} watches with ("key exists"). */
  public static String selectorFor(String nodeName) {
    return keyFor(nodeName);
  }

  public static boolean isNodeLabel(String key) {
    return key != null && key.startsWith(PREFIX);
  }

  static String sha256Hex(String s) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
