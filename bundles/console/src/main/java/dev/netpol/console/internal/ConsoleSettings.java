package dev.netpol.console.internal;

import dev.netpol.platform.guice.Setting;
import java.util.List;

/** The console's settings (etc/config/netpol-console.cfg, or framework properties). */
final class ConsoleSettings {
  static final Setting<java.util.Optional<java.net.InetSocketAddress>> ADDRESS =
      Setting.address(
          "netpol.console.address",
          "127.0.0.1:8470",
          "host:port of the web console (a busy port falls back to a free one, logged; empty turns"
              + " the console off)");
  static final Setting<String> USER =
      Setting.string("netpol.console.user", "admin", "the console's user name");
  static final Setting<String> PASSWORD =
      Setting.string(
          "netpol.console.password",
          "",
          "the console's password, clear or {sha-256}<base64 digest>; empty: generated at first"
              + " start into DATA_DIR/console.password (mode 0600)");

  /**
   * Read by the launcher, not here: whether {@code bin/netpol node} installs the console at all
   * ({@code etc/profiles/node.list}). Declared so that the file holding it is a valid configuration
   * of this bundle.
   */
  static final Setting<Boolean> ENABLED_ON_NODE =
      Setting.bool(
          "netpol.console.enabled",
          false,
          "whether bin/netpol node runs the console (read by the launcher at start; the standalone"
              + " always does)");

  static final List<Setting<?>> ALL = List.of(ADDRESS, USER, PASSWORD, ENABLED_ON_NODE);

  private ConsoleSettings() {}
}
