package dev.netpol.platform.guice;

/** Thrown by an imported service's proxy when no such service is registered right now. */
public final class ServiceUnavailableException extends RuntimeException {
  public ServiceUnavailableException(String type) {
    super("no " + type + " service is available");
  }
}
