package dev.netpol.metrics.internal;

import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.api.status.ControllerStatus;
import java.util.List;
import java.util.Optional;

/** The status services this container has right now; any of them may be missing. */
interface StatusSources {
  Optional<AgentStatus> agent();

  Optional<ControllerStatus> controller();

  /** Every registered backend, by its {@code netpol.backend} name. */
  List<NamedBackend> backends();

  record NamedBackend(String name, EnforcementBackend backend) {}
}
