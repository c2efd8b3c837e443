package dev.netpol.serviceproxy.internal;

import dev.netpol.netfilter.Family;
import java.util.List;

/**
 * One port of one Service on one ClusterIP, with its ready endpoints: what becomes one per-service
 * chain.
 */
record ServicePortEntry(
    String namespace,
    String name,
    String portName,
    String protocol,
    String clusterIp,
    int port,
    List<Backend> backends) {

  /** A ready endpoint address and the port traffic is sent to. */
  record Backend(String ip, int port) {}

  ServicePortEntry {
    backends = List.copyOf(backends);
  }

  String describe() {
    return namespace + "/" + name + (portName.isEmpty() ? "" : ":" + portName);
  }

  Family family() {
    return Family.of(clusterIp);
  }
}
