package dev.netpol.resolver.internal;

import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetAddress;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Pod IPs parsed once per resolution (parsing dominates large resolutions otherwise). */
final class PodCache {
  private final Map<Pod, List<InetAddress>> ips = new IdentityHashMap<>();

  List<InetAddress> ips(Pod pod) {
    return ips.computeIfAbsent(pod, p -> List.copyOf(PodFacts.ips(p)));
  }

  /** As {@link PodFacts#eligible}: own network namespace, an IP, not terminated. */
  boolean eligible(Pod pod) {
    return !(pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork()))
        && !PodFacts.terminated(pod)
        && !ips(pod).isEmpty();
  }

  /** Can receive Service traffic: not terminated and has an IP (hostNetwork included). */
  boolean live(Pod pod) {
    return !PodFacts.terminated(pod) && !ips(pod).isEmpty();
  }
}
