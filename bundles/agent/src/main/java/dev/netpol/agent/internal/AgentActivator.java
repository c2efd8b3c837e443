package dev.netpol.agent.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.Singleton;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.platform.guice.GuiceBundleActivator;
import dev.netpol.platform.guice.OsgiBindings;
import dev.netpol.watch.KubeCluster;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;

/** Wires the node agent: follows the cluster and the backend, exports its status. */
public final class AgentActivator extends GuiceBundleActivator {
  @Override
  protected List<Module> modules(BundleContext context) {
    return List.of(
        new AbstractModule() {
          @Override
          protected void configure() {
            OsgiBindings.importService(binder(), KubeCluster.class);
            OsgiBindings.importService(binder(), EnforcementBackend.class);
            bind(NodeAgent.class).in(Singleton.class);
            OsgiBindings.manage(binder(), NodeAgent.class);
            OsgiBindings.exportService(
                binder(), AgentStatus.class, Key.get(NodeAgent.class), Map.of());
            OsgiBindings.settings(binder(), AgentSettings.ALL);
          }
        });
  }
}
