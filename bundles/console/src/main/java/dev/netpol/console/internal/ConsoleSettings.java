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

  static final List<Setting<?>> ALL = List.of(ADDRESS, USER, PASSWORD);

  private ConsoleSettings() {}
}
