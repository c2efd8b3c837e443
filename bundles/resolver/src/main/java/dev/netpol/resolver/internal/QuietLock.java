package dev.netpol.resolver.internal;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock that, while the API cannot be read, reports the lease as last seen and just renewed: a
 * candidate cannot take a lease it cannot write anyway, and fabric8's elector would otherwise log
 * an error with a stack trace at every retry (every second) for as long as the API is away. One
 * line when the API goes, one when it is back. A leader still fails to renew and stops writing
 * after its renew deadline.
 */
final class QuietLock implements Lock {
  private static final Logger LOG = LoggerFactory.getLogger(QuietLock.class);
  private final Lock delegate;
  private final Supplier<ZonedDateTime> now;
  private LeaderElectionRecord last;
  private boolean unreachable;

  QuietLock(Lock delegate) {
    this(delegate, () -> ZonedDateTime.now(ZoneOffset.UTC));
  }

  QuietLock(Lock delegate, Supplier<ZonedDateTime> now) {
    this.delegate = delegate;
    this.now = now;
  }

  @Override
  public synchronized LeaderElectionRecord get(KubernetesClient client) {
    try {
      LeaderElectionRecord r = delegate.get(client);
      if (unreachable) {
        LOG.info("{}: the API answers again", delegate.describe());
        unreachable = false;
      }
      last = r;
      return r;
    } catch (KubernetesClientException e) {
      if (last == null) {
        throw e; // never seen: nothing to stand in for it
      }
      if (!unreachable) {
        LOG.warn(
            "{}: cannot read the lease ({}); taken as held by {} until the API answers",
            delegate.describe(),
            e.getMessage(),
            last.getHolderIdentity());
        unreachable = true;
      }
      return new LeaderElectionRecord(
          last.getHolderIdentity(),
          last.getLeaseDuration(),
          last.getAcquireTime(),
          now.get(),
          last.getLeaderTransitions());
    }
  }

  @Override
  public void create(KubernetesClient client, LeaderElectionRecord record) {
    delegate.create(client, record);
  }

  @Override
  public void update(KubernetesClient client, LeaderElectionRecord record) {
    delegate.update(client, record);
  }

  @Override
  public String identity() {
    return delegate.identity();
  }

  @Override
  public String describe() {
    return delegate.describe();
  }
}
