package dev.netpol.platform.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.Stage;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.Multibinder;
import dev.netpol.platform.guice.internal.ConfiguredSettings;
import dev.netpol.platform.guice.internal.ExportSpec;
import dev.netpol.platform.guice.internal.ServiceTrackerRef;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base activator of a Guice-wired bundle: injector from {@link #modules(BundleContext)}, then
 * {@link Managed} components started, then exported bindings registered as services.
 *
 * <p>Settings hold their configured values before any component starts. If the configuration
 * changes later and the bundle registered no {@link Settings#onChange} listener, its components are
 * stopped and started again, so every value in effect is the configured one.
 */
public abstract class GuiceBundleActivator implements BundleActivator {
  private static final Logger LOG = LoggerFactory.getLogger(GuiceBundleActivator.class);
  private final Deque<Managed> started = new ArrayDeque<>();
  private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
  private final List<ServiceTrackerRef<?>> trackers = new ArrayList<>();
  private final Object lifecycle = new Object();
  private ConfiguredSettings settings;
  private Injector injector;
  private BundleContext context;

  /** The bundle's own Guice modules. */
  protected abstract List<Module> modules(BundleContext context);

  /** Configuration Admin PID of this bundle's settings; the symbolic name by default. */
  protected String configPid(BundleContext context) {
    return context.getBundle().getSymbolicName();
  }

  @Override
  public final void start(BundleContext context) throws Exception {
    settings = new ConfiguredSettings(context, configPid(context));
    List<Module> all = new ArrayList<>(modules(context));
    all.add(
        new AbstractModule() {
          @Override
          protected void configure() {
            bind(BundleContext.class).toInstance(context);
            bind(Settings.class).toInstance(settings);
            Multibinder.newSetBinder(binder(), ExportSpec.class);
            Multibinder.newSetBinder(binder(), ServiceTrackerRef.class);
            Multibinder.newSetBinder(binder(), new TypeLiteral<Class<? extends Managed>>() {});
            Multibinder.newSetBinder(binder(), new TypeLiteral<Setting<?>>() {});
          }
        });
    injector = Guice.createInjector(Stage.PRODUCTION, all);
    for (ServiceTrackerRef<?> t :
        injector.getInstance(Key.get(new TypeLiteral<Set<ServiceTrackerRef>>() {}))) {
      t.open(context);
      trackers.add(t);
    }
    settings.declare(injector.getInstance(Key.get(new TypeLiteral<Set<Setting<?>>>() {})));
    this.context = context;
    settings.whenChanged(this::restartComponents);
    settings.open();
    try {
      synchronized (lifecycle) {
        startComponents();
      }
      for (ExportSpec spec : injector.getInstance(Key.get(new TypeLiteral<Set<ExportSpec>>() {}))) {
        Dictionary<String, Object> props = new Hashtable<>(spec.properties());
        registrations.add(
            context.registerService(
                spec.type().getName(), injector.getInstance(spec.key()), props));
      }
    } catch (Exception e) {
      stop(context);
      throw e;
    }
    LOG.info(
        "bundle {} wired: {} services exported, {} components started",
        context.getBundle().getSymbolicName(),
        registrations.size(),
        started.size());
  }

  private void startComponents() throws Exception {
    for (Class<? extends Managed> type :
        injector.getInstance(Key.get(new TypeLiteral<Set<Class<? extends Managed>>>() {}))) {
      Managed m = injector.getInstance(type);
      m.start();
      started.push(m);
    }
  }

  private void stopComponents(BundleContext context) {
    while (!started.isEmpty()) {
      Managed m = started.pop();
      try {
        m.stop();
      } catch (Exception e) {
        LOG.warn(
            "bundle {}: {} did not stop cleanly: {}",
            context.getBundle().getSymbolicName(),
            m.getClass().getSimpleName(),
            e.toString());
      }
    }
  }

  /** A configuration change nobody follows live: the components start again with it. */
  private void restartComponents() {
    synchronized (lifecycle) {
      if (started.isEmpty() || injector == null) {
        return; // not started yet (start reads the new values) or stopping
      }
      String name = context.getBundle().getSymbolicName();
      LOG.info("bundle {}: configuration changed; restarting its components", name);
      stopComponents(context);
      try {
        startComponents();
      } catch (Exception e) {
        LOG.error("bundle {}: components did not start again: {}", name, e.toString(), e);
      }
    }
  }

  @Override
  public final void stop(BundleContext context) {
    for (ServiceRegistration<?> r : registrations) {
      try {
        r.unregister();
      } catch (IllegalStateException ignored) {
        // already gone with the bundle
      }
    }
    registrations.clear();
    if (settings != null) {
      settings.whenChanged(() -> {});
    }
    synchronized (lifecycle) {
      stopComponents(context);
    }
    trackers.forEach(ServiceTrackerRef::close);
    trackers.clear();
    if (settings != null) {
      settings.close();
    }
  }

  /** The bundle's injector, for tests and diagnostics. */
  protected Injector injector() {
    return injector;
  }
}
