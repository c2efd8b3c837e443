package dev.netpol.api;

/** A backend could not make the kernel match a pod's desired state; the old state is kept. */
public class EnforcementException extends Exception {
  public EnforcementException(String message) {
    super(message);
  }

  public EnforcementException(String message, Throwable cause) {
    super(message, cause);
  }
}
