package dev.netpol.watch.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.netpol.platform.guice.GuiceBundleActivator;
import dev.netpol.platform.guice.OsgiBindings;
import dev.netpol.watch.ApiEndpoint;
import java.util.List;
import org.osgi.framework.BundleContext;

/** Wires the watch bundle: the connector follows the embedded API or uses a kubeconfig. */
public final class WatchActivator extends GuiceBundleActivator {
  @Override
  protected List<Module> modules(BundleContext context) {
    return List.of(
        new AbstractModule() {
          @Override
          protected void configure() {
            OsgiBindings.importService(binder(), ApiEndpoint.class);
            OsgiBindings.manage(binder(), Connector.class);
            OsgiBindings.settings(binder(), List.of(Connector.KUBECONFIG));
          }
        });
  }
}
