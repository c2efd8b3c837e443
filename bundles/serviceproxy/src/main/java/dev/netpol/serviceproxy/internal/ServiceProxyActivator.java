package dev.netpol.serviceproxy.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.netpol.platform.guice.GuiceBundleActivator;
import dev.netpol.platform.guice.OsgiBindings;
import dev.netpol.watch.KubeCluster;
import java.util.List;
import org.osgi.framework.BundleContext;

/** Wires the service proxy: it follows the KubeCluster service and owns its nat chains. */
public final class ServiceProxyActivator extends GuiceBundleActivator {
  @Override
  protected List<Module> modules(BundleContext context) {
    return List.of(
        new AbstractModule() {
          @Override
          protected void configure() {
            OsgiBindings.importService(binder(), KubeCluster.class);
            OsgiBindings.manage(binder(), Ipv4Forwarding.class);
            OsgiBindings.manage(binder(), ServiceProxy.class);
            OsgiBindings.settings(binder(), ProxySettings.ALL);
          }
        });
  }
}
