package dev.netpol.api;

import java.util.Map;

/**
 * The service face of a backend that its bundle starts and stops: every call goes to the running
 * instance; while there is none, writes fail with "stopped", nothing is programmed and health is
 * failing. A backend bundle registers its subclass of this as the {@link EnforcementBackend}.
 */
public abstract class ServedBackend implements EnforcementBackend {
  /**
   * Service property: the {@code bin/netpol} arguments that release the backend's kernel state when
   * its bundle is not running (the agent records them; see bundles/agent, BackendRecords).
   */
  public static final String RELEASE_PROPERTY = "netpol.backend.release";

  private final String name;

  protected ServedBackend(String name) {
    this.name = name;
  }

  /** The running instance, or null while the bundle has none. */
  protected abstract EnforcementBackend running();

  private EnforcementBackend runningOrFail() throws EnforcementException {
    EnforcementBackend b = running();
    if (b == null) {
      throw new EnforcementException("the " + name + " backend is stopped");
    }
    return b;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public void apply(dev.netpol.api.model.PodEndpoint pod, dev.netpol.api.model.PodPolicy policy)
      throws EnforcementException {
    runningOrFail().apply(pod, policy);
  }

  @Override
  public Map<PodKey, EnforcementException> applyAll(java.util.List<PodDesiredState> pods) {
    EnforcementBackend b = running();
    if (b == null) {
      Map<PodKey, EnforcementException> stopped = new java.util.LinkedHashMap<>();
      pods.forEach(
          p ->
              stopped.put(
                  p.key(), new EnforcementException("the " + name + " backend is stopped")));
      return stopped;
    }
    return b.applyAll(pods);
  }

  @Override
  public void remove(PodKey pod) throws EnforcementException {
    runningOrFail().remove(pod);
  }

  @Override
  public Map<PodKey, ProgrammedPod> programmed() {
    EnforcementBackend b = running();
    return b == null ? Map.of() : b.programmed();
  }

  @Override
  public BackendHealth health() {
    EnforcementBackend b = running();
    return b == null ? BackendHealth.failing("stopped") : b.health();
  }

  @Override
  public BackendStatistics statistics() {
    EnforcementBackend b = running();
    return b == null ? BackendStatistics.EMPTY : b.statistics();
  }

  @Override
  public void release() throws EnforcementException {
    EnforcementBackend b = running();
    if (b != null) {
      b.release();
    }
  }
}
