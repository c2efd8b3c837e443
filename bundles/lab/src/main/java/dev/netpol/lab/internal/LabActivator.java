package dev.netpol.lab.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.Module;
import dev.netpol.launcher.spi.Command;
import dev.netpol.platform.guice.GuiceBundleActivator;
import dev.netpol.platform.guice.OsgiBindings;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;

/** Registers {@code netpol lab} as a tool command; the lab itself keeps no running state here. */
public final class LabActivator extends GuiceBundleActivator {
  @Override
  protected List<Module> modules(BundleContext context) {
    return List.of(
        new AbstractModule() {
          @Override
          protected void configure() {
            OsgiBindings.exportService(
                binder(), Command.class, Key.get(LabCommand.class), Map.of(Command.NAME, "lab"));
          }
        });
  }
}
