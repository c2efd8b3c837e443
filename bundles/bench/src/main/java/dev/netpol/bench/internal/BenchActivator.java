package dev.netpol.bench.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.Module;
import dev.netpol.launcher.spi.Command;
import dev.netpol.platform.guice.GuiceBundleActivator;
import dev.netpol.platform.guice.OsgiBindings;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;

/** Registers {@code netpol bench} as a tool command; nothing runs until it is called. */
public final class BenchActivator extends GuiceBundleActivator {
  @Override
  protected List<Module> modules(BundleContext context) {
    return List.of(
        new AbstractModule() {
          @Override
          protected void configure() {
            OsgiBindings.exportService(
                binder(),
                Command.class,
                Key.get(BenchCommand.class),
                Map.of(Command.NAME, "bench"));
          }
        });
  }
}
