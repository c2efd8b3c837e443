package dev.netpol.resolver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** While the API is away the lease reads as last seen and just renewed, so nobody takes it. */
class QuietLockTest {
  static final ZonedDateTime T0 = ZonedDateTime.of(2026, 12, 5, 12, 0, 0, 0, ZoneOffset.UTC);

  /** A lock whose API answers with {@code record}, or fails when {@code down}. */
  static final class FakeLock implements Lock {
    LeaderElectionRecord record;
    boolean down;

    @Override
    public LeaderElectionRecord get(KubernetesClient client) {
      if (down) {
        throw new KubernetesClientException("connection refused");
      }
      return record;
    }

    @Override
    public void create(KubernetesClient client, LeaderElectionRecord r) {}

    @Override
    public void update(KubernetesClient client, LeaderElectionRecord r) {}

    @Override
    public String identity() {
      return "me_1";
    }

    @Override
    public String describe() {
      return "LeaseLock: kube-system - netpol-controller (me_1)";
    }
  }

  @Test
  void anUnreadableLeaseIsTheLastOneSeenJustRenewed() {
    FakeLock api = new FakeLock();
    ZonedDateTime[] now = {T0.plusSeconds(30)};
    QuietLock lock = new QuietLock(api, () -> now[0]);
    api.down = true;
    assertThrows(KubernetesClientException.class, () -> lock.get(null), "never seen: the error");
    api.down = false;
    assertNull(lock.get(null), "no lease yet");
    api.record = new LeaderElectionRecord("other_2", Duration.ofSeconds(10), T0, T0, 3);
    assertSame(api.record, lock.get(null));
    api.down = true;
    LeaderElectionRecord r = lock.get(null);
    assertEquals("other_2", r.getHolderIdentity());
    assertEquals(now[0], r.getRenewTime(), "renewed now: it does not expire while unreadable");
    assertEquals(3, r.getLeaderTransitions());
    now[0] = now[0].plusMinutes(5);
    assertEquals(now[0], lock.get(null).getRenewTime());
    api.down = false;
    assertSame(api.record, lock.get(null), "the API's answer again");
  }
}
