package dev.netpol.lab;

import java.nio.file.Path;

/**
 * Where the lab keeps its state and which API it registers pods in.
 *
 * @param dataDir state file, server script and logs (e.g. {@code ~/.netpol/lab})
 * @param kubeconfig the API's kubeconfig; null: pods are made in the kernel only
 * @param pool4 pod IPv4 range, inside 198.18.0.0/15
 * @param pool6 pod IPv6 range, inside fd00:198:18::/48
 * @param namePrefix first characters of the random prefix of netns and link names, e.g. {@code npl}
 * @param nodeName default {@code spec.nodeName}
 * @param hostIp {@code status.hostIP}
 */
public record LabConfig(
    Path dataDir,
    Path kubeconfig,
    String pool4,
    String pool6,
    String namePrefix,
    String nodeName,
    String hostIp) {
  public static final String DEFAULT_POOL4 = "198.18.64.0/18";
  public static final String DEFAULT_POOL6 = "fd00:198:18:40::/58";

  public LabConfig {
    if (namePrefix == null || !namePrefix.matches("[a-z]{2,4}")) {
      throw new IllegalArgumentException(
          "lab name prefix '" + namePrefix + "' must be 2..4 lower case letters");
    }
  }
}
