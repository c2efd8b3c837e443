package dev.netpol.console.internal;

import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.status.AgentControl;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.api.status.ControllerStatus;
import dev.netpol.console.internal.pages.BackendPage;
import dev.netpol.console.internal.pages.EbpfPage;
import dev.netpol.console.internal.pages.Page;
import dev.netpol.console.internal.pages.PodsPage;
import dev.netpol.console.internal.pages.PoliciesPage;
import dev.netpol.console.internal.pages.ReachabilityPage;
import dev.netpol.console.internal.pages.SwitchRunner;
import dev.netpol.console.internal.pages.VerdictsPage;
import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.ServiceRef;
import dev.netpol.watch.KubeCluster;
import jakarta.inject.Inject;
import jakarta.servlet.Servlet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** Registers netpol's pages with the Web Console (as Servlet services with console properties). */
final class ConsolePages implements Managed {
  private final BundleContext context;
  private final List<Page> pages;
  private final SwitchRunner switches = new SwitchRunner();
  private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

  @Inject
  ConsolePages(
      BundleContext context,
      ConsoleSecurity security,
      VerdictLog verdicts,
      ServiceRef<AgentStatus> agent,
      ServiceRef<AgentControl> control,
      ServiceRef<ControllerStatus> controller,
      ServiceRef<EnforcementBackend> backends,
      ServiceRef<KubeCluster> cluster) {
    this.context = context;
    String root = context.getProperty("netpol.bpffs.root");
    Path pinRoot = Path.of(root == null || root.isBlank() ? "/sys/fs/bpf/netpol" : root);
    this.pages =
        List.of(
            new PoliciesPage(security, controller, agent, cluster),
            new PodsPage(security, agent, backends),
            new BackendPage(security, agent, control, backends, switches),
            new EbpfPage(security, () -> pinRoot),
            new VerdictsPage(security, verdicts),
            new ReachabilityPage(security, agent, backends));
  }

  @Override
  public void start() {
    for (Page p : pages) {
      registrations.add(context.registerService(Servlet.class, p, new Hashtable<>(p.properties())));
    }
  }

  @Override
  public void stop() {
    registrations.forEach(
        r -> {
          try {
            r.unregister();
          } catch (IllegalStateException ignored) {
            // gone with the bundle
          }
        });
    registrations.clear();
    switches.close();
  }
}
