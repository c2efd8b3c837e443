package dev.netpol.bench.internal.datapath;

import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.EnforcementException;
import dev.netpol.api.PodKey;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.lab.LabPod;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * One configuration of the datapath under test, on its own client/server pod pair: what is attached
 * to their host veths and whether a non-allowed pod must be blocked.
 *
 * <ul>
 *   <li>{@code bare}: nothing of netpol on either veth — the physical limit here.
 *   <li>{@code no policy}: the backend attached to both, neither selected (what the agent programs
 *       for a pod no policy selects: allow all).
 *   <li>a backend name: the server's ingress holds the point's policy, the client is unselected.
 * </ul>
 *
 * A {@code transient} setup is applied for its own phase of each round and removed afterwards,
 * because its kernel state would otherwise be on every other pair's path too (netfilter hooks are
 * per namespace, not per veth).
 */
public final class Setup {
  public final String name;
  public final EnforcementBackend backend;
  public final boolean enforcing;
  public final boolean transientState;
  public LabPod client;
  public LabPod server;
  private boolean programmed;

  private Setup(
      String name, EnforcementBackend backend, boolean enforcing, boolean transientState) {
    this.name = name;
    this.backend = backend;
    this.enforcing = enforcing;
    this.transientState = transientState;
  }

  public static Setup bare() {
    return new Setup("bare", null, false, false);
  }

  public static Setup noPolicy(EnforcementBackend b) {
    return new Setup("no policy", b, false, false);
  }

  /** The backend enforcing the point's policy; iptables' state is transient (see above). */
  public static Setup enforcing(EnforcementBackend b, boolean transientState) {
    return new Setup(b.name(), b, true, transientState);
  }

  /** A file-name friendly name (pod names, columns). */
  public String slug() {
    return name.replace(' ', '-');
  }

  /**
   * Before a point's rounds: programs a persistent state; returns the milliseconds the server's
   * apply took (0 if nothing was programmed now).
   */
  public long prepare(PodPolicy serverPolicy) throws EnforcementException {
    if (backend == null || transientState) {
      return 0;
    }
    return program(serverPolicy);
  }

  /** Before this setup's phase of a round; returns the server's apply time in ms (or 0). */
  public long enter(PodPolicy serverPolicy) throws EnforcementException {
    return transientState ? program(serverPolicy) : 0;
  }

  /** After this setup's phase of a round. */
  public void leave() throws EnforcementException {
    if (transientState) {
      clear();
    }
  }

  /** Removes whatever the backend holds for this pair. */
  public void clear() throws EnforcementException {
    if (backend != null && programmed) {
      backend.remove(key(server));
      backend.remove(key(client));
      programmed = false;
    }
  }

  private long program(PodPolicy serverPolicy) throws EnforcementException {
    backend.apply(endpoint(client), PodPolicy.ALLOW_ALL);
    long t0 = System.nanoTime();
    backend.apply(endpoint(server), enforcing ? serverPolicy : PodPolicy.ALLOW_ALL);
    programmed = true;
    return (System.nanoTime() - t0) / 1_000_000;
  }

  static PodKey key(LabPod p) {
    return new PodKey(p.namespace(), p.name());
  }

  static PodEndpoint endpoint(LabPod p) {
    try {
      return new PodEndpoint(key(p), List.of(InetAddress.getByName(p.ipv4())), p.hostVeth());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(p.ipv4(), e);
    }
  }
}
