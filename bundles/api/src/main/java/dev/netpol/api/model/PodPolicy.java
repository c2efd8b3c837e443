package dev.netpol.api.model;

/** The complete desired state of one pod: what it may receive and what it may send. */
public record PodPolicy(DirectionPolicy ingress, DirectionPolicy egress) {
  /** No policy selects the pod (or standard mode before policies are known). */
  public static final PodPolicy ALLOW_ALL =
      new PodPolicy(DirectionPolicy.ALLOW_ALL, DirectionPolicy.ALLOW_ALL);

  /** Strict mode before the pod's policies are known. */
  public static final PodPolicy DENY_ALL =
      new PodPolicy(DirectionPolicy.DENY_ALL, DirectionPolicy.DENY_ALL);

  public PodPolicy {
    if (ingress == null || egress == null) {
      throw new ModelException("policy", "both directions must be given");
    }
  }

  /** A stable digest of this state: equal digests mean equal policies, across processes. */
  public String digest() {
    try {
      byte[] h =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(h, 0, 12);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public DirectionPolicy direction(Direction d) {
    return d == Direction.INGRESS ? ingress : egress;
  }
}
