package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP streaming watch: newline-delimited JSON watch events over a chunked 200 response.
 * Objects that enter or leave the selection on an update are sent as ADDED or DELETED, as the real
 * API server does.
 *
 * <p>Each watch holds at most {@code queueLimit} events waiting to be sent. When its client reads
 * slower than that, the watch is ended without sending anything after the gap (as the real API
 * server's cacher does with a watcher that falls behind): the client resumes from the last
 * resourceVersion it got, or relists on 410 Gone. So a slow watcher cannot make the server hold
 * more than that.
 */
final class WatchStream {
  private static final Logger LOG = LoggerFactory.getLogger(WatchStream.class);
  private final ObjectStore store;
  private final ResourceType type;
  private final String namespace;
  private final LabelSelector labels;
  private final FieldSelector fields;
  private final Function<ObjectNode, JsonNode> render;
  private final Watches watches;
  private volatile boolean overflowed;

  /**
   * render turns a stored object into what the event carries (the object itself, or a one-row
   * Table).
   */
  WatchStream(
      ObjectStore store,
      ResourceType type,
      String namespace,
      LabelSelector labels,
      FieldSelector fields,
      Function<ObjectNode, JsonNode> render,
      Watches watches) {
    this.render = render;
    this.watches = watches;
    this.store = store;
    this.type = type;
    this.namespace = namespace;
    this.labels = labels;
    this.fields = fields;
  }

  /**
   * How often an idle watch that allows bookmarks gets one; also how a vanished client is noticed.
   */
  static final long BOOKMARK_NANOS = TimeUnit.SECONDS.toNanos(5);

  /**
   * Streams until the client goes away, timeoutSeconds pass, or stopping says so. With bookmarks
   * allowed, an idle watch gets a BOOKMARK with the current resourceVersion every few seconds.
   */
  void serve(
      HttpExchange ex,
      String resourceVersion,
      long timeoutSeconds,
      boolean bookmarks,
      BooleanSupplier stopping)
      throws IOException {
    Long fromRv = null;
    if (resourceVersion != null && !resourceVersion.isEmpty() && !resourceVersion.equals("0")) {
      try {
        fromRv = Long.parseLong(resourceVersion);
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("invalid resourceVersion \"" + resourceVersion + "\"");
      }
    }
    BlockingQueue<StoreEvent> queue = new ArrayBlockingQueue<>(watches.queueLimit);
    ObjectStore.Subscription sub;
    ObjectNode gone = null;
    try {
      sub =
          store.subscribe(
              type.storageKey(),
              fromRv,
              e -> {
                if (!overflowed && !queue.offer(e)) {
                  overflowed = true; // nothing after this gap may be sent
                  queue.clear();
                  watches.endedSlow.incrementAndGet();
                }
              });
    } catch (ApiException e) {
      sub = new ObjectStore.Subscription(List.of(), 0, () -> {});
      gone = e.status();
    }
    watches.open.incrementAndGet();
    try {
      if (gone == null) {
        store.awaitDurable(sub.awaitRv()); // the initial ADDED events show only durable state
      }
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.getResponseHeaders().set("Cache-Control", "no-cache, private");
      ex.sendResponseHeaders(200, 0);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      try (OutputStream out = ex.getResponseBody()) {
        if (gone != null) {
          write(out, Json.object().put("type", "ERROR").set("object", gone));
          return;
        }
        for (StoreEvent e : sub.backlog()) {
          send(out, e);
        }
        out.flush();
        long lastWrite = System.nanoTime();
        while (!stopping.getAsBoolean() && System.nanoTime() < deadline) {
          StoreEvent e = overflowed ? null : queue.poll(500, TimeUnit.MILLISECONDS);
          if (overflowed) {
            LOG.info(
                "ended a watch of {}: its client read too slowly ({} events waiting)",
                type.qualifiedResource(),
                watches.queueLimit);
            return;
          }
          if (e != null) {
            send(out, e);
            lastWrite = System.nanoTime();
          } else if (bookmarks && System.nanoTime() - lastWrite > BOOKMARK_NANOS) {
            // events reach the queue before the published counter moves past them, so an empty
            // queue after reading it means nothing up to rv is pending
            long rv = store.publishedResourceVersion();
            if (queue.isEmpty()) {
              ObjectNode marker =
                  Json.object().put("kind", type.kind()).put("apiVersion", type.apiVersion());
              marker.putObject("metadata").put("resourceVersion", Long.toString(rv));
              write(out, Json.object().put("type", "BOOKMARK").set("object", marker));
            }
            lastWrite = System.nanoTime();
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the client went away
    } finally {
      watches.open.decrementAndGet();
      sub.cancel().run();
      ex.close();
    }
  }

  private boolean matches(ObjectNode o) {
    return o != null
        && (namespace == null || namespace.equals(Json.namespace(o)))
        && labels.matches(Json.labels(o))
        && fields.matches(o);
  }

  private void send(OutputStream out, StoreEvent e) throws IOException {
    boolean now = !e.type().equals(StoreEvent.DELETED) && matches(e.object());
    boolean before =
        e.type().equals(StoreEvent.ADDED)
            ? false
            : e.type().equals(StoreEvent.DELETED) ? matches(e.object()) : matches(e.previous());
    String type;
    if (now && before) {
      type = StoreEvent.MODIFIED;
    } else if (now) {
      type = StoreEvent.ADDED;
    } else if (before) {
      type = StoreEvent.DELETED;
    } else {
      return;
    }
    write(out, Json.object().put("type", type).set("object", render.apply(e.object())));
  }

  private static void write(OutputStream out, ObjectNode event) throws IOException {
    byte[] b = Json.bytes(event);
    out.write(b);
    out.write('\n');
    out.flush();
  }
}
