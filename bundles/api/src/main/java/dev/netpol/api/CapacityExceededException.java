package dev.netpol.api;

/**
 * A pod's desired state does not fit a kernel table of the backend (a map's or a set's capacity).
 * The pod keeps its previous state and every other pod is untouched; the agent reports it as a
 * condition on the PolicyEndpoints that select the pod.
 */
public class CapacityExceededException extends EnforcementException {
  private final PodKey pod;
  private final String table;
  private final long needed;
  private final long capacity;

  public CapacityExceededException(PodKey pod, String table, long needed, long capacity) {
    super(
        "pod " + pod + ": " + table + " needs " + needed + " entries, its capacity is " + capacity);
    this.pod = pod;
    this.table = table;
    this.needed = needed;
    this.capacity = capacity;
  }

  public PodKey pod() {
    return pod;
  }

  /** The table that is too small, e.g. {@code ingress rules} or an ipset's name. */
  public String table() {
    return table;
  }

  public long needed() {
    return needed;
  }

  public long capacity() {
    return capacity;
  }
}
