package dev.netpol.resolver.internal;

import dev.netpol.api.status.ControllerStatus;
import dev.netpol.api.status.PolicyStatus;
import dev.netpol.resolver.ControllerOptions;
import dev.netpol.resolver.InformerSource;
import dev.netpol.resolver.PolicyController;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One controller candidate: takes part in the election and runs a {@link PolicyController} while it
 * leads. The informers stay warm while it waits (they are shared and keep running), so a new leader
 * starts from full caches: it lists every policy and PolicyEndpoint, recomputes the desired state
 * and writes only the difference (level-triggered, so a take-over in the middle of an update
 * neither duplicates nor loses PolicyEndpoints).
 */
public final class ElectedController implements ControllerStatus, AutoCloseable {
  private final KubernetesClient client;
  private final InformerSource informers;
  private final ControllerOptions options;
  private final ElectionOptions election;
  private final LeaderElection elector;
  private final AtomicLong pastWrites = new AtomicLong();
  private final AtomicLong pastErrors = new AtomicLong();
  private PolicyController current;

  public ElectedController(
      KubernetesClient client,
      InformerSource informers,
      ControllerOptions options,
      ElectionOptions election) {
    this(client, informers, options, election, null);
  }

  /** {@code servesLeases}: whether the API serves Leases (null: ask its discovery). */
  public ElectedController(
      KubernetesClient client,
      InformerSource informers,
      ControllerOptions options,
      ElectionOptions election,
      java.util.function.BooleanSupplier servesLeases) {
    this.client = client;
    this.informers = informers;
    this.options = options;
    this.election = election;
    this.elector = new LeaderElection(client, election, this::lead, this::follow, servesLeases);
  }

  public ElectedController start() {
    elector.start();
    return this;
  }

  private synchronized void lead() {
    if (current == null) {
      current = new PolicyController(client, informers, options).start();
    }
  }

  private synchronized void follow() {
    if (current != null) {
      current.close();
      pastWrites.addAndGet(current.writes());
      pastErrors.addAndGet(current.errors());
      current = null;
    }
  }

  /** The running controller while this candidate leads, else null. */
  public synchronized PolicyController controller() {
    return current;
  }

  @Override
  public boolean leader() {
    return elector.leading();
  }

  @Override
  public String identity() {
    return election.identity();
  }

  /** The leader as last observed. */
  public String currentLeader() {
    return elector.leader();
  }

  @Override
  public List<PolicyStatus> policies() {
    return StatusView.policies(informers);
  }

  @Override
  public synchronized long writes() {
    return pastWrites.get() + (current == null ? 0 : current.writes());
  }

  @Override
  public synchronized long errors() {
    return pastErrors.get() + (current == null ? 0 : current.errors());
  }

  /** Stops writing first, then leaves the election (releasing the lease if held). */
  @Override
  public void close() {
    follow();
    elector.close();
  }
}
