package dev.netpol.api.model;

import java.util.Locale;

/** The transport protocols a NetworkPolicy port can name, with their IP protocol numbers. */
public enum Protocol {
  TCP(6),
  UDP(17),
  SCTP(132);

  private final int number;

  Protocol(int number) {
    this.number = number;
  }

  public int number() {
    return number;
  }

  /** Parses a protocol name as the NetworkPolicy API spells it; {@code null} means TCP. */
  public static Protocol parse(String value, String field) {
    if (value == null) {
      return TCP;
    }
    try {
      return valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ModelException(field, "unsupported protocol '" + value + "' (TCP, UDP or SCTP)");
    }
  }

  public static Protocol ofNumber(int number) {
    for (Protocol p : values()) {
      if (p.number == number) {
        return p;
      }
    }
    throw new IllegalArgumentException("no protocol with number " + number);
  }
}
