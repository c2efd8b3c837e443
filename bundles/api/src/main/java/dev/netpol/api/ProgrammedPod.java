package dev.netpol.api;

import java.net.InetAddress;
import java.util.List;

/**
 * What a backend has programmed for one pod, read back from the kernel where it can be: the
 * interface, the addresses and a digest of the policy it enforces (equal digests mean equal desired
 * state, so a reconcile can skip the pod).
 */
public record ProgrammedPod(
    PodKey key, String hostInterface, List<InetAddress> addresses, String policyDigest) {
  public ProgrammedPod {
    addresses = List.copyOf(addresses);
  }
}
