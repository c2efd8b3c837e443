package dev.netpol.agent.internal;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/** The addresses that stand for "this node" in policies: kubelet probes come from them. */
final class NodeAddresses {
  private NodeAddresses() {}

  static Set<InetAddress> parse(String configured) {
    Set<InetAddress> out = new LinkedHashSet<>();
    if (!configured.isBlank()) {
      for (String s : configured.split(",")) {
        out.add(dev.netpol.api.model.Cidr.parseAddress(s.trim(), "netpol.node.addresses", s));
      }
      return out;
    }
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (!a.isLinkLocalAddress() && !a.isLoopbackAddress()) {
            out.add(InetAddress.getByAddress(a.getAddress()));
          }
        }
      }
    } catch (SocketException | java.net.UnknownHostException e) {
      // no addresses: nothing extra is allowed
    }
    return out;
  }
}
