package dev.netpol.metrics.internal;

import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.api.status.ControllerStatus;
import dev.netpol.platform.guice.ServiceRef;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;

/** The status services as the OSGi registry has them at this moment. */
final class OsgiStatusSources implements StatusSources {
  private final ServiceRef<AgentStatus> agent;
  private final ServiceRef<ControllerStatus> controller;
  private final ServiceRef<EnforcementBackend> backends;

  @Inject
  OsgiStatusSources(
      ServiceRef<AgentStatus> agent,
      ServiceRef<ControllerStatus> controller,
      ServiceRef<EnforcementBackend> backends) {
    this.agent = agent;
    this.controller = controller;
    this.backends = backends;
  }

  @Override
  public Optional<AgentStatus> agent() {
    return agent.current();
  }

  @Override
  public Optional<ControllerStatus> controller() {
    return controller.current();
  }

  @Override
  public List<NamedBackend> backends() {
    return backends.all().stream()
        .map(
            r ->
                new NamedBackend(
                    String.valueOf(
                        r.properties()
                            .getOrDefault(EnforcementBackend.NAME_PROPERTY, r.service().name())),
                    r.service()))
        .toList();
  }
}
