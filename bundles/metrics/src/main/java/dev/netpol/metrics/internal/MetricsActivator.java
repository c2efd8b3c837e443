package dev.netpol.metrics.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Singleton;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.api.status.ControllerStatus;
import dev.netpol.platform.guice.GuiceBundleActivator;
import dev.netpol.platform.guice.OsgiBindings;
import java.util.List;
import org.osgi.framework.BundleContext;

/** Wires the metrics endpoint to whichever status services this container has. */
public final class MetricsActivator extends GuiceBundleActivator {
  @Override
  protected List<Module> modules(BundleContext context) {
    return List.of(
        new AbstractModule() {
          @Override
          protected void configure() {
            OsgiBindings.importService(binder(), AgentStatus.class);
            OsgiBindings.importService(binder(), ControllerStatus.class);
            OsgiBindings.importService(binder(), EnforcementBackend.class);
            bind(StatusSources.class).to(OsgiStatusSources.class).in(Singleton.class);
            OsgiBindings.manage(binder(), MetricsServer.class);
            OsgiBindings.manage(binder(), ReadySignal.class);
            OsgiBindings.settings(binder(), List.of(MetricsServer.ADDRESS));
          }
        });
  }
}
