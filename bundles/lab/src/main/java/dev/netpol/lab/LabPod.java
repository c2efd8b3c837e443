package dev.netpol.lab;

import java.util.List;
import java.util.Map;

/**
 * A pod the lab made, as recorded in its state file: the network namespace, the host side of its
 * veth pair, its addresses ({@code ipv6} null when IPv4 only), the ports served by the server
 * process {@code pid} (0: none), and the Service created for it (null: none).
 */
public record LabPod(
    String namespace,
    String name,
    String netns,
    String hostVeth,
    String ipv4,
    String ipv6,
    Map<String, String> labels,
    List<String> serve,
    String nodeName,
    long pid,
    String service) {

  public String key() {
    return namespace + "/" + name;
  }
}
