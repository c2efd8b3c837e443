package dev.netpol.agent.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.Singleton;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.status.AgentControl;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.launcher.spi.Command;
import dev.netpol.platform.guice.GuiceBundleActivator;
import dev.netpol.platform.guice.OsgiBindings;
import dev.netpol.watch.KubeCluster;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;

/**
 * Wires the node agent: follows the cluster and the backends, exports its status and control
 * services, and serves the control channel. When bin/netpol runs the {@code backend} tool, only
 * that command is registered (it talks to the running agent; no second agent starts).
 */
public final class AgentActivator extends GuiceBundleActivator {
  @Override
  protected List<Module> modules(BundleContext context) {
    boolean tool = context.getProperty("netpol.tool") != null;
    return List.of(
        new AbstractModule() {
          @Override
          protected void configure() {
            OsgiBindings.settings(binder(), AgentSettings.ALL);
            bind(BackendCommand.class).in(Singleton.class);
            OsgiBindings.exportService(
                binder(),
                Command.class,
                Key.get(BackendCommand.class),
                Map.of(Command.NAME, "backend"));
            if (tool) {
              return;
            }
            OsgiBindings.importService(binder(), KubeCluster.class);
            OsgiBindings.importService(binder(), EnforcementBackend.class);
            bind(NodeAgent.class).in(Singleton.class);
            OsgiBindings.manage(binder(), NodeAgent.class);
            OsgiBindings.manage(binder(), ControlChannel.class);
            OsgiBindings.exportService(
                binder(), AgentStatus.class, Key.get(NodeAgent.class), Map.of());
            OsgiBindings.exportService(
                binder(), AgentControl.class, Key.get(NodeAgent.class), Map.of());
          }
        });
  }
}
