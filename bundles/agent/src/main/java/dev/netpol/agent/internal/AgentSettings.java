package dev.netpol.agent.internal;

import dev.netpol.platform.guice.Setting;
import java.time.Duration;
import java.util.List;

/** The agent's settings (etc/config/netpol-agent.cfg, or framework properties). */
final class AgentSettings {
  enum Mode {
    STANDARD,
    STRICT
  }

  static final Setting<String> NODE_NAME =
      Setting.string(
          "netpol.node.name",
          "",
          "this node's name; pods with spec.nodeName equal to it are programmed (default: $NODE_NAME, else the host name)");
  static final Setting<Mode> MODE =
      Setting.oneOf(
          "netpol.mode",
          Mode.STANDARD,
          Mode.class,
          "standard: a pod is allowed everything until a policy selects it; strict: denied until then (the node's addresses stay allowed)");
  static final Setting<String> BACKEND =
      Setting.string("netpol.backend", "ebpf", "name of the EnforcementBackend to program");
  static final Setting<Duration> RESYNC =
      Setting.duration(
          "netpol.agent.resync",
          Duration.ofSeconds(60),
          "period of a full reconcile of every local pod");
  static final Setting<String> NODE_ADDRESSES =
      Setting.string(
          "netpol.node.addresses",
          "",
          "comma-separated addresses always allowed to and from pods (kubelet probes); empty: this host's global addresses");

  static final List<Setting<?>> ALL = List.of(NODE_NAME, MODE, BACKEND, RESYNC, NODE_ADDRESSES);

  private AgentSettings() {}
}
