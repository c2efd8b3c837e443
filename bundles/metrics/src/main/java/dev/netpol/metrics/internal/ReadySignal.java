package dev.netpol.metrics.internal;

import dev.netpol.launcher.spi.Ready;
import dev.netpol.platform.guice.Managed;
import jakarta.inject.Inject;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the launcher when the container is first ready (the same check as {@code /readyz}) by
 * registering a {@link Ready} service: the launcher then starts the late bundles (the web console),
 * whose start would otherwise compete with the agent's first sync and first policy.
 */
final class ReadySignal implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(ReadySignal.class);

  /** Past the launcher's default wait (15 s) nobody needs the signal: stop polling. */
  static final long GIVE_UP_MILLIS = 20_000;

  private final BundleContext context;
  private final StatusSources sources;
  private ScheduledExecutorService poll;
  private volatile ServiceRegistration<Ready> registration;

  @Inject
  ReadySignal(BundleContext context, StatusSources sources) {
    this.context = context;
    this.sources = sources;
  }

  @Override
  public void start() {
    Health health = new Health(sources, System::currentTimeMillis, false);
    long t0 = System.nanoTime();
    poll =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "netpol-ready");
              t.setDaemon(true);
              return t;
            });
    poll.scheduleWithFixedDelay(
        () -> {
          Health.Verdict v;
          try {
            v = health.readiness();
          } catch (RuntimeException e) {
            return;
          }
          long ms = (System.nanoTime() - t0) / 1_000_000;
          if (v.ok() && registration == null) {
            registration = context.registerService(Ready.class, new Ready() {}, null);
            LOG.info("{} after {} ms", v.detail(), ms);
            poll.shutdown();
          } else if (ms > GIVE_UP_MILLIS) {
            // the launcher has started the late bundles by now; /readyz keeps answering
            LOG.info("{} after {} ms; the launcher starts the web console anyway", v.detail(), ms);
            poll.shutdown();
          }
        },
        0,
        50,
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void stop() {
    if (poll != null) {
      poll.shutdownNow();
    }
    ServiceRegistration<Ready> r = registration;
    if (r != null) {
      try {
        r.unregister();
      } catch (IllegalStateException ignored) {
        // gone with the bundle
      }
    }
  }
}
