package dev.netpol.serviceproxy.internal;

import dev.netpol.platform.guice.Setting;
import java.time.Duration;
import java.util.List;

/** The service proxy's settings, {@code netpol.serviceproxy.*}. */
final class ProxySettings {
  static final Setting<Boolean> ENABLED =
      Setting.bool(
          "netpol.serviceproxy.enabled",
          true,
          "program Service ClusterIPs into the nat table (turn off where kube-proxy runs)");
  static final Setting<String> CHAIN_PREFIX =
      Setting.string(
          "netpol.serviceproxy.chain-prefix",
          "NETPOL",
          "first part of every chain name (tests use unique prefixes); chains are PREFIX-SERVICES, PREFIX-SVC-*, ...");
  static final Setting<String> MASQUERADE_MARK =
      new Setting<>(
          "netpol.serviceproxy.masquerade-mark",
          "0x40000",
          s -> {
            String t = s.trim();
            try {
              long v = Long.decode(t);
              if (v <= 0 || v > 0xFFFFFFFFL || Long.bitCount(v) != 1) {
                throw new IllegalArgumentException("'" + s + "' must be a single bit like 0x40000");
              }
              return "0x" + Long.toHexString(v);
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("'" + s + "' is not a number like 0x40000");
            }
          },
          "packet mark bit for service traffic that needs masquerading (a pod reaching itself via its Service)");
  static final Setting<Duration> SYNC_DELAY =
      Setting.duration(
          "netpol.serviceproxy.sync-delay",
          Duration.ofMillis(50),
          "how long to gather Service/EndpointSlice events before one rewrite");
  static final Setting<Duration> RESYNC_INTERVAL =
      Setting.duration(
          "netpol.serviceproxy.resync-interval",
          Duration.ofSeconds(30),
          "full rewrite this often, repairing chains someone else changed");
  static final Setting<Boolean> IPV6 =
      Setting.bool("netpol.serviceproxy.ipv6", true, "also program IPv6 ClusterIPs with ip6tables");

  static final List<Setting<?>> ALL =
      List.of(ENABLED, CHAIN_PREFIX, MASQUERADE_MARK, SYNC_DELAY, RESYNC_INTERVAL, IPV6);

  private ProxySettings() {}
}
