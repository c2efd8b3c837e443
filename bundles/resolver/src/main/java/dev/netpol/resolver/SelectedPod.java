package dev.netpol.resolver;

import java.net.InetAddress;
import java.util.List;

/** A pod a policy applies to, with every IP it has (two for dual-stack). */
public record SelectedPod(String namespace, String name, String nodeName, List<InetAddress> ips)
    implements Comparable<SelectedPod> {

  public SelectedPod {
    ips = List.copyOf(ips);
  }

  @Override
  public int compareTo(SelectedPod o) {
    int c = namespace.compareTo(o.namespace);
    return c != 0 ? c : name.compareTo(o.name);
  }
}
