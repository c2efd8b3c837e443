package dev.netpol.itests.conformance;

/** What a case needs from the running model to write its policies: real names and addresses. */
public interface CaseEnv {
  /** The real name behind logical namespace x, y or z. */
  String namespace(String logical);

  /** The probed family's address of a pod, e.g. for pod "y/b". */
  String podIp(String pod);

  boolean ipv6();

  /** ip/32 or ip/128. */
  default String hostCidr(String pod) {
    return podIp(pod) + (ipv6() ? "/128" : "/32");
  }

  /** The /4 that contains the pod's address, properly masked (upstream's makeLargeCIDRForIP). */
  default String largeCidr(String pod) {
    byte[] b = Addresses.parse(podIp(pod));
    b[0] = (byte) (b[0] & 0xF0);
    for (int i = 1; i < b.length; i++) {
      b[i] = 0;
    }
    return Addresses.format(b) + "/4";
  }

  /** kubernetes.io/metadata.name=<real name>. */
  default Selector namespaceNamed(String logical) {
    return Selector.labels(ConformanceNames.NAMESPACE_NAME_LABEL, namespace(logical));
  }
}
