package dev.netpol.watch;

/** An API server reachable from this process without credentials, e.g. the embedded one. */
@org.osgi.annotation.versioning.ProviderType
public interface ApiEndpoint {
  /** Base URL, e.g. {@code http://127.0.0.1:6443}. */
  String url();
}
