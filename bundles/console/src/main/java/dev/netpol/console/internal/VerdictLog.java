package dev.netpol.console.internal;

import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.VerdictEvent;
import dev.netpol.api.VerdictEvents;
import dev.netpol.console.internal.pages.VerdictsPage;
import dev.netpol.console.internal.pages.VerdictsPage.Row;
import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.ServiceRef;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last {@link #CAPACITY} verdict events of every backend that reports them, numbered so that a
 * page can ask for what came after the rows it shows. Subscribed while the console runs: events
 * arrive only for new flows, so holding them costs little.
 */
@Singleton
final class VerdictLog implements Managed, VerdictsPage.Log {
  static final int CAPACITY = 2000;
  private static final Logger LOG = LoggerFactory.getLogger(VerdictLog.class);

  private final ServiceRef<VerdictEvents> sources;
  private final Deque<Row> entries = new ArrayDeque<>();
  private final Map<VerdictEvents, AutoCloseable> subscriptions = new IdentityHashMap<>();
  private long next = 1;
  private AutoCloseable following;

  @Inject
  VerdictLog(ServiceRef<VerdictEvents> sources) {
    this.sources = sources;
  }

  @Override
  public void start() {
    following = sources.follow(x -> resubscribe());
  }

  private synchronized void resubscribe() {
    List<ServiceRef.Registered<VerdictEvents>> now = sources.all();
    Map<VerdictEvents, AutoCloseable> keep = new IdentityHashMap<>();
    for (ServiceRef.Registered<VerdictEvents> r : now) {
      AutoCloseable s = subscriptions.remove(r.service());
      if (s == null) {
        String backend =
            String.valueOf(r.properties().getOrDefault(EnforcementBackend.NAME_PROPERTY, "?"));
        try {
          s = r.service().subscribe(e -> add(backend, e));
          LOG.debug("verdict log: following backend {}", backend);
        } catch (RuntimeException e) {
          LOG.warn("verdict log: backend {} refused a subscription: {}", backend, e.getMessage());
          continue;
        }
      }
      keep.put(r.service(), s);
    }
    subscriptions.values().forEach(VerdictLog::close);
    subscriptions.clear();
    subscriptions.putAll(keep);
  }

  /** Called on the backends' reader threads: holds only the entries' lock, briefly. */
  void add(String backend, VerdictEvent e) {
    synchronized (entries) {
      entries.addLast(new Row(next++, backend, e));
      while (entries.size() > CAPACITY) {
        entries.removeFirst();
      }
    }
  }

  /** Backends followed now. */
  @Override
  public synchronized int sources() {
    return subscriptions.size();
  }

  /** Up to {@code limit} entries after {@code after} that match, newest first. */
  @Override
  public List<Row> newest(long after, Predicate<Row> filter, int limit) {
    synchronized (entries) {
      return newestLocked(after, filter, limit);
    }
  }

  private List<Row> newestLocked(long after, Predicate<Row> filter, int limit) {
    List<Row> out = new ArrayList<>();
    var it = entries.descendingIterator();
    while (it.hasNext() && out.size() < limit) {
      Row e = it.next();
      if (e.seq() <= after) {
        break;
      }
      if (filter.test(e)) {
        out.add(e);
      }
    }
    return out;
  }

  /** The number of the newest entry, 0 if none. */
  @Override
  public long last() {
    synchronized (entries) {
      return entries.isEmpty() ? 0 : entries.getLast().seq();
    }
  }

  private static void close(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      LOG.debug("verdict log: unsubscribe failed: {}", e.toString());
    }
  }

  @Override
  public synchronized void stop() throws Exception {
    if (following != null) {
      following.close();
    }
    subscriptions.values().forEach(VerdictLog::close);
    subscriptions.clear();
  }
}
