package dev.netpol.api.model;

/** Traffic into a pod (ingress) or out of it (egress), seen from the pod. */
public enum Direction {
  INGRESS,
  EGRESS
}
