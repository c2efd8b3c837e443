package dev.netpol.apiserver.internal.bundle;

import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.Singleton;
import dev.netpol.platform.guice.GuiceBundleActivator;
import dev.netpol.platform.guice.OsgiBindings;
import dev.netpol.watch.ApiEndpoint;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;

/** Runs the embedded API in the standalone node and offers it to the watch bundle. */
public final class ApiServerActivator extends GuiceBundleActivator {
  @Override
  protected List<Module> modules(BundleContext context) {
    return List.of(
        new AbstractModule() {
          @Override
          protected void configure() {
            bind(EmbeddedApiRunner.class).in(Singleton.class);
            OsgiBindings.manage(binder(), EmbeddedApiRunner.class);
            OsgiBindings.exportService(
                binder(), ApiEndpoint.class, Key.get(EmbeddedApiRunner.class), Map.of());
            OsgiBindings.settings(binder(), EmbeddedApiRunner.SETTINGS);
          }
        });
  }
}
