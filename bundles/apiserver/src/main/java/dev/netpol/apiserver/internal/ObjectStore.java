package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * All objects, keyed by resource and namespace/name, with one global resourceVersion counter and a
 * bounded event history for watches that resume from a resourceVersion. Stored objects are never
 * mutated: writers hand in fresh trees, readers must copy before changing.
 *
 * <p>With a {@link Journal} attached, every change is handed to it (in resourceVersion order, under
 * the store lock) before it is applied, and its event is <em>published</em> — put into the watch
 * history and passed to listeners — only once the journal has made it durable. So no watcher ever
 * sees a change that a crash could take back. Without a journal (unit tests), events are published
 * at once. Listeners run on the publishing thread and must not block or write to the store.
 */
public final class ObjectStore {
  /** Where changes go before they are applied; see {@link WriteAheadLog}. */
  public interface Journal {
    /**
     * Takes one change, called under the store lock in resourceVersion order before the change is
     * applied. Throws ApiException when nothing may be written (closing, or the disk failed).
     */
    void append(StoreEvent e);

    /** Blocks until every change up to rv is durable and published; throws ApiException if not. */
    void awaitDurable(long rv);
  }

  public static final int DEFAULT_HISTORY = 10_000;

  private final Map<String, TreeMap<String, ObjectNode>> objects = new HashMap<>();
  private final int historyLimit;
  private long resourceVersion;
  private Journal journal;

  /** Guards history, historyFloor, publishedRv and listener registration against publication. */
  private final Object published = new Object();

  private final ArrayDeque<StoreEvent> history = new ArrayDeque<>();
  private final List<Consumer<StoreEvent>> listeners = new CopyOnWriteArrayList<>();

  /** Every event with a resourceVersion above this is still in history. */
  private long historyFloor;

  private volatile long publishedRv;

  public ObjectStore() {
    this(DEFAULT_HISTORY);
  }

  /** historyLimit: how many past events a watch can resume from. */
  public ObjectStore(int historyLimit) {
    if (historyLimit < 1) {
      throw new IllegalArgumentException("history limit must be positive: " + historyLimit);
    }
    this.historyLimit = historyLimit;
  }

  /** The counter, including changes not yet durable. */
  public synchronized long resourceVersion() {
    return resourceVersion;
  }

  /** The highest resourceVersion whose event is published (durable). */
  public long publishedResourceVersion() {
    return publishedRv;
  }

  /** Loads persisted state; only before serving. */
  public synchronized void load(long rv, Map<String, List<ObjectNode>> byStorageKey) {
    resourceVersion = rv;
    synchronized (published) {
      historyFloor = rv;
      publishedRv = rv;
    }
    byStorageKey.forEach((key, list) -> list.forEach(o -> bucket(key).put(key(o), o)));
  }

  /** From now on, changes go through journal first. */
  public synchronized void attach(Journal j) {
    this.journal = j;
  }

  /** Waits until everything up to rv is durable (at once without a journal). */
  public void awaitDurable(long rv) {
    Journal j;
    synchronized (this) {
      j = journal;
    }
    if (j != null) {
      j.awaitDurable(rv);
    }
  }

  private TreeMap<String, ObjectNode> bucket(String storageKey) {
    return objects.computeIfAbsent(storageKey, k -> new TreeMap<>());
  }

  private static String key(ObjectNode o) {
    String ns = Json.namespace(o);
    return (ns == null ? "" : ns) + "/" + Json.name(o);
  }

  private static String key(String ns, String name) {
    return (ns == null ? "" : ns) + "/" + name;
  }

  public synchronized ObjectNode get(ResourceType t, String ns, String name) {
    return bucket(t.storageKey()).get(key(t.namespaced() ? ns : null, name));
  }

  /** Objects of one resource, in one namespace or (ns null) all. */
  public synchronized List<ObjectNode> list(ResourceType t, String ns) {
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode o : bucket(t.storageKey()).values()) {
      if (ns == null || ns.equals(Json.namespace(o))) {
        out.add(o);
      }
    }
    return out;
  }

  /** Snapshot of everything, by storage key, plus the resourceVersion it corresponds to. */
  public synchronized Snapshot snapshot() {
    Map<String, List<ObjectNode>> copy = new TreeMap<>();
    objects.forEach(
        (k, v) -> {
          if (!v.isEmpty()) {
            copy.put(k, new ArrayList<>(v.values()));
          }
        });
    return new Snapshot(resourceVersion, copy);
  }

  public record Snapshot(long resourceVersion, Map<String, List<ObjectNode>> objects) {}

  public synchronized ObjectNode create(ResourceType t, ObjectNode obj) {
    TreeMap<String, ObjectNode> b = bucket(t.storageKey());
    String k = key(obj);
    if (b.containsKey(k)) {
      throw ApiException.alreadyExists(t, Json.name(obj));
    }
    stamp(obj, resourceVersion + 1);
    commit(new StoreEvent(StoreEvent.ADDED, t.storageKey(), null, obj, resourceVersion + 1));
    b.put(k, obj);
    return obj;
  }

  /** Replaces the object; expectedRv (if not null/empty) must equal the stored one. */
  public synchronized ObjectNode update(ResourceType t, ObjectNode obj, String expectedRv) {
    TreeMap<String, ObjectNode> b = bucket(t.storageKey());
    String k = key(obj);
    ObjectNode old = b.get(k);
    if (old == null) {
      throw ApiException.notFound(t, Json.name(obj));
    }
    if (expectedRv != null
        && !expectedRv.isEmpty()
        && !expectedRv.equals(Json.text(old, "metadata", "resourceVersion"))) {
      throw ApiException.conflict(t, Json.name(obj));
    }
    ObjectNode candidate = obj.deepCopy();
    Json.meta(candidate).set("resourceVersion", old.path("metadata").get("resourceVersion"));
    if (candidate.equals(old)) {
      return old; // a no-op write does not bump the resourceVersion, as in the real server
    }
    stamp(obj, resourceVersion + 1);
    commit(new StoreEvent(StoreEvent.MODIFIED, t.storageKey(), old, obj, resourceVersion + 1));
    b.put(k, obj);
    return obj;
  }

  public synchronized ObjectNode delete(ResourceType t, String ns, String name, String expectedRv) {
    TreeMap<String, ObjectNode> b = bucket(t.storageKey());
    String k = key(t.namespaced() ? ns : null, name);
    ObjectNode old = b.get(k);
    if (old == null) {
      throw ApiException.notFound(t, name);
    }
    if (expectedRv != null
        && !expectedRv.isEmpty()
        && !expectedRv.equals(Json.text(old, "metadata", "resourceVersion"))) {
      throw ApiException.conflict(t, name);
    }
    ObjectNode gone = old.deepCopy();
    stamp(gone, resourceVersion + 1);
    commit(new StoreEvent(StoreEvent.DELETED, t.storageKey(), old, gone, resourceVersion + 1));
    b.remove(k);
    return gone;
  }

  private static void stamp(ObjectNode obj, long rv) {
    Json.meta(obj).put("resourceVersion", Long.toString(rv));
  }

  /** Journals the change (which may refuse it) and takes its resourceVersion. */
  private void commit(StoreEvent e) {
    if (journal != null) {
      journal.append(e);
      resourceVersion = e.resourceVersion();
    } else {
      resourceVersion = e.resourceVersion();
      publish(List.of(e));
    }
  }

  /**
   * Puts durable events, in resourceVersion order, into the history and hands them to listeners.
   * Called by the journal (never under the store lock) or, without one, at once.
   */
  void publish(List<StoreEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    synchronized (published) {
      for (StoreEvent e : events) {
        history.addLast(e);
        while (history.size() > historyLimit) {
          historyFloor = history.removeFirst().resourceVersion();
        }
        for (Consumer<StoreEvent> l : listeners) {
          l.accept(e);
        }
      }
      publishedRv = events.get(events.size() - 1).resourceVersion();
    }
  }

  /** Events kept for resuming watches (at most the history limit). */
  public int historySize() {
    synchronized (published) {
      return history.size();
    }
  }

  /** A listener for every future published event (controllers). */
  public void addListener(Consumer<StoreEvent> l) {
    listeners.add(l);
  }

  public void removeListener(Consumer<StoreEvent> l) {
    listeners.remove(l);
  }

  /**
   * A watch's start: the events it must send first, and the listener registration for what comes
   * after. backlog is ready to send once everything up to awaitRv is durable.
   */
  public record Subscription(List<StoreEvent> backlog, long awaitRv, Runnable cancel) {}

  /**
   * Atomically registers a listener and returns what happened to storageKey since fromRv (all
   * published, so durable). With fromRv null, synthetic ADDED events for the current objects, and
   * the listener skips every event they already reflect. Throws 410 Gone when history no longer
   * reaches back that far.
   */
  public synchronized Subscription subscribe(
      String storageKey, Long fromRv, Consumer<StoreEvent> consumer) {
    synchronized (published) {
      List<StoreEvent> backlog = new ArrayList<>();
      long after;
      long awaitRv = 0;
      if (fromRv == null) {
        for (ObjectNode o : bucket(storageKey).values()) {
          backlog.add(new StoreEvent(StoreEvent.ADDED, storageKey, null, o, resourceVersion));
        }
        after = resourceVersion;
        awaitRv = resourceVersion;
      } else {
        if (fromRv < historyFloor) {
          throw ApiException.gone(
              "too old resource version: " + fromRv + " (" + historyFloor + ")");
        }
        for (StoreEvent e : history) {
          if (e.resourceVersion() > fromRv && e.storageKey().equals(storageKey)) {
            backlog.add(e);
          }
        }
        after = Math.max(fromRv, publishedRv);
      }
      Consumer<StoreEvent> l =
          e -> {
            if (e.resourceVersion() > after && e.storageKey().equals(storageKey)) {
              consumer.accept(e);
            }
          };
      listeners.add(l);
      return new Subscription(backlog, awaitRv, () -> listeners.remove(l));
    }
  }
}
