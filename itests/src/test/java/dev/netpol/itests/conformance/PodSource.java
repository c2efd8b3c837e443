package dev.netpol.itests.conformance;

import java.util.Map;

/**
 * Makes the model's nine pods (network namespaces with addresses, registered as Running Pod objects
 * labelled pod=&lt;name&gt; with containers cont-&lt;port&gt;-&lt;proto&gt; and ports
 * serve-&lt;port&gt;-&lt;proto&gt;), in namespaces that already exist; removes them on close.
 */
interface PodSource extends AutoCloseable {
  /**
   * One pod as the suite sees it: where its agent runs and its addresses (ip6 null if IPv4 only).
   */
  record PodHandle(String netns, String hostLink, String ip4, String ip6) {}

  Map<PodRef, PodHandle> create(Map<String, String> realNamespaces, boolean ipv6) throws Exception;

  /**
   * Whether the pods already run TCP/UDP servers on the model's ports (then the agents only probe
   * and capture).
   */
  boolean serversIncluded();

  @Override
  void close();
}
