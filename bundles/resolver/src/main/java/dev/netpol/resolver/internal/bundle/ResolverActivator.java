package dev.netpol.resolver.internal.bundle;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Singleton;
import dev.netpol.api.status.ControllerStatus;
import dev.netpol.platform.guice.GuiceBundleActivator;
import dev.netpol.platform.guice.OsgiBindings;
import dev.netpol.watch.KubeCluster;
import java.util.List;
import org.osgi.framework.BundleContext;

/**
 * Wires the policy controller to whichever Kubernetes connection the watch bundle offers, and
 * registers its {@link ControllerStatus}.
 */
public final class ResolverActivator extends GuiceBundleActivator {
  @Override
  protected List<Module> modules(BundleContext context) {
    return List.of(
        new AbstractModule() {
          @Override
          protected void configure() {
            OsgiBindings.importService(binder(), KubeCluster.class);
            bind(ControllerRunner.class).in(Singleton.class);
            OsgiBindings.manage(binder(), ControllerRunner.class);
            OsgiBindings.exportService(binder(), ControllerStatus.class, ControllerRunner.class);
            OsgiBindings.settings(binder(), ControllerRunner.SETTINGS);
          }
        });
  }
}
