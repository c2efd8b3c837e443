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
 */
public abstract class GuiceBundleActivator implements BundleActivator {
  private static final Logger LOG = LoggerFactory.getLogger(GuiceBundleActivator.class);
  private final Deque<Managed> started = new ArrayDeque<>();
  private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
  private final List<ServiceTrackerRef<?>> trackers = new ArrayList<>();
  private ConfiguredSettings settings;
  private Injector injector;

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
    settings.open();
    try {
      for (Class<? extends Managed> type :
          injector.getInstance(Key.get(new TypeLiteral<Set<Class<? extends Managed>>>() {}))) {
        Managed m = injector.getInstance(type);
        m.start();
        started.push(m);
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
