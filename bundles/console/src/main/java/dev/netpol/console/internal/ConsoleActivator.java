package dev.netpol.console.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.Module;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.VerdictEvents;
import dev.netpol.api.status.AgentControl;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.api.status.ControllerStatus;
import dev.netpol.platform.guice.GuiceBundleActivator;
import dev.netpol.platform.guice.OsgiBindings;
import dev.netpol.watch.KubeCluster;
import jakarta.servlet.Filter;
import java.util.List;
import java.util.Map;
import org.apache.felix.webconsole.spi.BrandingPlugin;
import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Wires the console: its listener, credentials, security provider, CSRF guard, verdict log and
 * pages. The pages read status services only; every one of them may be missing.
 */
public final class ConsoleActivator extends GuiceBundleActivator {
  @Override
  protected List<Module> modules(BundleContext context) {
    return List.of(
        new AbstractModule() {
          @Override
          protected void configure() {
            OsgiBindings.settings(binder(), ConsoleSettings.ALL);
            OsgiBindings.importService(binder(), ConfigurationAdmin.class);
            OsgiBindings.importService(binder(), AgentStatus.class);
            OsgiBindings.importService(binder(), AgentControl.class);
            OsgiBindings.importService(binder(), ControllerStatus.class);
            OsgiBindings.importService(binder(), EnforcementBackend.class);
            OsgiBindings.importService(binder(), VerdictEvents.class);
            OsgiBindings.importService(binder(), KubeCluster.class);
            OsgiBindings.manage(binder(), ConsoleSecurity.class);
            OsgiBindings.manage(binder(), VerdictLog.class);
            OsgiBindings.manage(binder(), ConsolePages.class);
            OsgiBindings.manage(binder(), ConsoleHttp.class);
            OsgiBindings.exportService(
                binder(),
                SecurityProvider.class,
                Key.get(BasicAuthProvider.class),
                Map.of(SecurityProvider.PROPERTY_ID, BasicAuthProvider.ID));
            OsgiBindings.exportService(
                binder(), Filter.class, Key.get(CsrfGuard.class), CsrfGuard.PROPERTIES);
            OsgiBindings.exportService(
                binder(), BrandingPlugin.class, Key.get(Branding.class), Map.of());
          }
        });
  }
}
