package dev.netpol.resolver;

/**
 * A NetworkPolicy that cannot be enforced as written. {@code field} is the JSON path of the bad
 * value, e.g. {@code spec.ingress[0].from[1].ipBlock.except[0]}.
 */
public record ResolutionError(PolicyKey policy, String uid, String field, String message)
    implements Resolution {

  /** One line for logs and the Resolved=False condition message. */
  @Override
  public String toString() {
    return "netpol " + policy + ": " + field + ": " + message;
  }
}
