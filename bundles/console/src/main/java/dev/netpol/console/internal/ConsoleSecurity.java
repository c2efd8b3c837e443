package dev.netpol.console.internal;

import dev.netpol.console.internal.pages.Page;
import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.Settings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The current credentials and CSRF tokens; reloaded when the settings change. */
@Singleton
final class ConsoleSecurity implements Managed, Page.Tokens {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleSecurity.class);
  private final Settings settings;
  private final BundleContext context;
  private final CsrfTokens tokens = new CsrfTokens();
  private volatile Credentials credentials;

  @Inject
  ConsoleSecurity(Settings settings, BundleContext context) {
    this.settings = settings;
    this.context = context;
  }

  @Override
  public void start() throws IOException {
    credentials = load();
    settings.onChange(
        () -> {
          try {
            credentials = load();
          } catch (IOException | RuntimeException e) {
            LOG.error("console credentials unchanged: {}", e.getMessage());
          }
        });
  }

  private Credentials load() throws IOException {
    return Credentials.load(
        settings.get(ConsoleSettings.USER), settings.get(ConsoleSettings.PASSWORD), dataDir());
  }

  /** The framework's data dir (bin/netpol --data-dir), else ~/.netpol. */
  Path dataDir() {
    String d = context.getProperty("netpol.data.dir");
    return d == null || d.isBlank()
        ? Path.of(System.getProperty("user.home"), ".netpol")
        : Path.of(d);
  }

  @Override
  public void stop() {}

  Credentials credentials() {
    return credentials;
  }

  @Override
  public String token() {
    return tokens.token(credentials);
  }

  @Override
  public boolean valid(String presented) {
    return tokens.valid(credentials, presented);
  }
}
