package dev.netpol.resolver.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** RFC 3339 timestamps: with nanoseconds for change-seen-at, whole seconds for conditions. */
public final class Rfc3339 {
  private static final DateTimeFormatter NANOS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private Rfc3339() {}

  public static String nanos(Instant t) {
    return NANOS.format(t);
  }

  public static String seconds(Instant t) {
    return SECONDS.format(t);
  }
}
