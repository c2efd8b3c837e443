package dev.netpol.itests.conformance;

/**
 * A CaseEnv for unit tests: real names netpol-<x>-test, pods at 10.0.0.(10+i) or fd00:10::(10+i).
 */
record FakeEnv(boolean ipv6) implements CaseEnv {
  @Override
  public String namespace(String logical) {
    if (!PodRef.NAMESPACES.contains(logical)) {
      throw new IllegalArgumentException(logical);
    }
    return "netpol-" + logical + "-test";
  }

  @Override
  public String podIp(String pod) {
    int host = 10 + PodRef.of(pod).index();
    return ipv6 ? "fd00:10::" + Integer.toHexString(host) : "10.0.0." + host;
  }
}
