package dev.netpol.console.internal;

import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.ServiceRef;
import dev.netpol.platform.guice.Settings;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the console its listener: configures Felix HTTP (PID {@code org.apache.felix.http}) with
 * {@code netpol.console.address}, and logs the console's URL and where the password is once Jetty
 * listens. The launcher starts Felix HTTP with {@code org.apache.felix.http.require.config=true},
 * so Jetty listens nowhere (never on its default 0.0.0.0:8080) until this configuration exists.
 */
final class ConsoleHttp implements Managed {
  static final String HTTP_PID = "org.apache.felix.http";
  static final String CONSOLE_PID = "org.apache.felix.webconsole.internal.servlet.OsgiManager";
  static final String RUNTIME_FILTER =
      "(&(objectClass=org.osgi.service.servlet.runtime.HttpServiceRuntime)(osgi.http.endpoint=*))";
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleHttp.class);
  private final Settings settings;
  private final BundleContext context;
  private final ServiceRef<ConfigurationAdmin> configAdmin;
  private final ConsoleSecurity security;
  private AutoCloseable following;
  private ServiceListener endpoints;
  private volatile String configured = "";
  private volatile String announced = "";

  @Inject
  ConsoleHttp(
      Settings settings,
      BundleContext context,
      ServiceRef<ConfigurationAdmin> configAdmin,
      ConsoleSecurity security) {
    this.settings = settings;
    this.context = context;
    this.configAdmin = configAdmin;
    this.security = security;
  }

  @Override
  public void start() throws InvalidSyntaxException {
    endpoints =
        event -> {
          if (event.getType() != ServiceEvent.UNREGISTERING) {
            announce(event.getServiceReference());
          }
        };
    context.addServiceListener(endpoints, RUNTIME_FILTER);
    ServiceReference<?>[] present = context.getServiceReferences((String) null, RUNTIME_FILTER);
    for (ServiceReference<?> r : present == null ? new ServiceReference<?>[0] : present) {
      announce(r);
    }
    following = configAdmin.follow(cm -> cm.ifPresent(this::configure));
    settings.onChange(() -> configAdmin.current().ifPresent(this::configure));
  }

  private synchronized void configure(ConfigurationAdmin cm) {
    Optional<InetSocketAddress> wanted = settings.get(ConsoleSettings.ADDRESS);
    String address = wanted.map(w -> w.getHostString() + ":" + w.getPort()).orElse("");
    if (address.equals(configured)) {
      return;
    }
    try {
      Configuration c = cm.getConfiguration(HTTP_PID, "?");
      if (address.isEmpty()) {
        c.delete();
        configured = address;
        LOG.info("web console off (netpol.console.address is empty)");
        return;
      }
      InetSocketAddress a = listenable(wanted.get());
      Dictionary<String, Object> p = new Hashtable<>();
      p.put("org.apache.felix.http.host", a.getHostString());
      p.put("org.osgi.service.http.port", String.valueOf(a.getPort()));
      p.put("org.apache.felix.http.enable", "true");
      p.put("org.apache.felix.https.enable", "false");
      p.put("org.apache.felix.http.jetty.sendServerHeader", "false");
      p.put("org.apache.felix.http.session.timeout", "30");
      c.update(p);
      configured = address;
      Configuration console = cm.getConfiguration(CONSOLE_PID, "?");
      if (console.getProperties() == null) {
        Dictionary<String, Object> d = new Hashtable<>();
        d.put("default.render", "netpol-pods"); // /system/console/ opens netpol's pods
        console.update(d);
      }
    } catch (IOException | RuntimeException e) {
      LOG.error("web console not started: {}", e.getMessage());
    }
  }

  /** The address, or a free port on the same host if its port is taken. */
  static InetSocketAddress listenable(InetSocketAddress wanted) throws IOException {
    if (wanted.getPort() == 0) {
      return wanted;
    }
    InetAddress host = wanted.getAddress();
    try (ServerSocket probe = new ServerSocket(wanted.getPort(), 1, host)) {
      return wanted;
    } catch (BindException e) {
      LOG.warn(
          "netpol.console.address {}:{}: {}; the console takes a free port instead",
          wanted.getHostString(),
          wanted.getPort(),
          e.getMessage());
      return new InetSocketAddress(host, 0);
    }
  }

  private void announce(ServiceReference<?> runtime) {
    Object ep = runtime.getProperty("osgi.http.endpoint");
    String[] urls =
        ep instanceof String[] s ? s : ep == null ? new String[0] : new String[] {ep.toString()};
    Optional<String> url = Arrays.stream(urls).findFirst();
    Credentials c = security.credentials();
    if (url.isEmpty() || url.get().equals(announced)) {
      return; // the runtime's properties change as servlets come and go; the URL rarely does
    }
    announced = url.get();
    url.ifPresent(
        u ->
            LOG.info(
                "web console at {}system/console/ (user {}, password {})",
                u.endsWith("/") ? u : u + "/",
                c.user(),
                c.file() == null ? "as configured" : "in " + c.file()));
  }

  @Override
  public void stop() throws Exception {
    if (endpoints != null) {
      context.removeServiceListener(endpoints);
    }
    if (following != null) {
      following.close();
    }
    Optional<ConfigurationAdmin> cm = configAdmin.current();
    if (cm.isPresent() && !configured.isEmpty()) {
      try {
        cm.get().getConfiguration(HTTP_PID, "?").delete(); // Jetty closes its listener
      } catch (IOException | IllegalStateException e) {
        LOG.debug("console listener configuration not removed: {}", e.toString());
      }
    }
  }
}
