package dev.netpol.backend.iptables.internal.bundle;

import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.Singleton;
import dev.netpol.launcher.spi.Command;
import dev.netpol.platform.guice.GuiceBundleActivator;
import dev.netpol.platform.guice.OsgiBindings;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;

/**
 * Registers the iptables backend as an {@code EnforcementBackend} ({@code netpol.backend=iptables})
 * and the {@code iptables} tool command. When bin/netpol runs a tool, only the command is
 * registered.
 */
public final class IptablesBackendActivator extends GuiceBundleActivator {
  @Override
  protected List<Module> modules(BundleContext context) {
    boolean tool = context.getProperty("netpol.tool") != null;
    return List.of(
        new AbstractModule() {
          @Override
          protected void configure() {
            OsgiBindings.settings(binder(), BackendRunner.SETTINGS);
            bind(IptablesCommand.class).in(Singleton.class);
            OsgiBindings.exportService(
                binder(),
                Command.class,
                Key.get(IptablesCommand.class),
                Map.of(Command.NAME, "iptables"));
            if (!tool) {
              bind(BackendRunner.class).in(Singleton.class);
              OsgiBindings.manage(binder(), BackendRunner.class);
            }
          }
        });
  }
}
