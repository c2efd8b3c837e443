package dev.netpol.api.model;

import dev.netpol.api.PodKey;
import java.net.InetAddress;
import java.util.List;

/**
 * A pod on this node as a backend sees it: its identity, its addresses (one per family at most in
 * practice) and the host-side interface its traffic crosses.
 */
public record PodEndpoint(PodKey key, List<InetAddress> addresses, String hostInterface) {

  public PodEndpoint {
    if (key == null) {
      throw new ModelException("pod", "pod key is missing");
    }
    addresses = List.copyOf(addresses == null ? List.of() : addresses);
    if (addresses.isEmpty()) {
      throw new ModelException("status.podIPs", "pod " + key + " has no address");
    }
    if (hostInterface == null || hostInterface.isBlank()) {
      throw new ModelException("hostInterface", "pod " + key + " has no host interface");
    }
  }
}
