package dev.netpol.itests.conformance;

import java.util.Locale;

/** Transport protocols the model serves and probes. */
public enum Protocol {
  TCP,
  UDP,
  SCTP;

  public String lower() {
    return name().toLowerCase(Locale.ROOT);
  }
}
