package dev.netpol.backend.ebpf.internal.bundle;

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
 * Registers the eBPF backend as an {@code EnforcementBackend} ({@code netpol.backend=ebpf}) and the
 * {@code ebpf} tool command. When bin/netpol runs a tool, only the command is registered: a second
 * backend instance would compete with the agent's for the verdict ring buffer.
 */
public final class EbpfBackendActivator extends GuiceBundleActivator {
  @Override
  protected List<Module> modules(BundleContext context) {
    boolean tool = context.getProperty("netpol.tool") != null;
    return List.of(
        new AbstractModule() {
          @Override
          protected void configure() {
            OsgiBindings.settings(binder(), BackendRunner.SETTINGS);
            bind(EbpfCommand.class).in(Singleton.class);
            OsgiBindings.exportService(
                binder(), Command.class, Key.get(EbpfCommand.class), Map.of(Command.NAME, "ebpf"));
            if (!tool) {
              // BackendRunner registers the EnforcementBackend service itself: its properties
              // name the effective pin root, known only once settings are read
              bind(BackendRunner.class).in(Singleton.class);
              OsgiBindings.manage(binder(), BackendRunner.class);
            }
          }
        });
  }
}
