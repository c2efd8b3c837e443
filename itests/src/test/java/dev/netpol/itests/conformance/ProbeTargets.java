package dev.netpol.itests.conformance;

/** Where probes go and who sends them: the prober's view of the pods. */
interface ProbeTargets {
  /** How probes reach the destination: its Service ClusterIP (as upstream) or its pod IP. */
  enum Mode {
    SERVICE,
    POD
  }

  /**
   * The address a probe of {@code to} is sent to in the given mode, or null if the mode has none.
   */
  String target(PodRef to, Mode mode);

  /** The agent running inside the pod. */
  PodAgent agent(PodRef pod);
}
