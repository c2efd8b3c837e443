package dev.netpol.resolver.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Leader election on a {@code coordination.k8s.io/v1} Lease.
 *
 * @param enabled false: this controller leads without a lease (only one may run)
 * @param identity who holds the lease: {@code <pod or host name>_<pid>}
 * @param leaseDuration how long a lease not renewed stays valid: the longest a dead leader blocks a
 *     take-over (plus up to 2.2 retry periods)
 * @param renewDeadline a leader that could not renew for this long stops writing
 * @param retryPeriod how often candidates try to acquire and the leader renews
 */
public record ElectionOptions(
    boolean enabled,
    String namespace,
    String name,
    String identity,
    Duration leaseDuration,
    Duration renewDeadline,
    Duration retryPeriod) {

  public ElectionOptions {
    if (enabled && renewDeadline.compareTo(leaseDuration) >= 0) {
      throw new IllegalArgumentException(
          "renew deadline " + renewDeadline + " must be shorter than the lease " + leaseDuration);
    }
    if (enabled && retryPeriod.compareTo(renewDeadline) >= 0) {
      throw new IllegalArgumentException(
          "retry period "
              + retryPeriod
              + " must be shorter than the renew deadline "
              + renewDeadline);
    }
  }

  public static ElectionOptions disabled() {
    return new ElectionOptions(
        false,
        "",
        "",
        defaultIdentity(),
        Duration.ofSeconds(2),
        Duration.ofSeconds(1),
        Duration.ZERO);
  }

  /** {@code $POD_NAME} (downward API) or the host name, an underscore and this process's pid. */
  public static String defaultIdentity() {
    String host = System.getenv("POD_NAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "localhost";
      }
    }
    return host + "_" + ProcessHandle.current().pid();
  }

  /**
   * The namespace of the lease when none is configured: {@code $POD_NAMESPACE}, else the service
   * account's namespace inside a pod, else {@code kube-system}.
   */
  public static String defaultNamespace() {
    String ns = System.getenv("POD_NAMESPACE");
    if (ns != null && !ns.isBlank()) {
      return ns;
    }
    Path sa = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
    try {
      if (Files.isReadable(sa)) {
        return Files.readString(sa).trim();
      }
    } catch (java.io.IOException e) {
      // fall through
    }
    return "kube-system";
  }
}
