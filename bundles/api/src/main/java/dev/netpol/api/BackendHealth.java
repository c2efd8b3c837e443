package dev.netpol.api;

/** A backend's own view of whether it can enforce, with a one-line reason. */
public record BackendHealth(boolean healthy, String detail) {
  public static BackendHealth ok(String detail) {
    return new BackendHealth(true, detail);
  }

  public static BackendHealth failing(String detail) {
    return new BackendHealth(false, detail);
  }
}
