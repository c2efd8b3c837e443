package dev.netpol.platform.guice;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * One configuration key of a bundle with its default, parser and documentation. The parser throws
 * {@link IllegalArgumentException} with the reason for a bad value.
 */
public record Setting<T>(
    String key, T defaultValue, Function<String, T> parser, String description) {

  public static Setting<String> string(String key, String def, String description) {
    return new Setting<>(key, def, s -> s, description);
  }

  public static Setting<Integer> integer(
      String key, int def, int min, int max, String description) {
    return new Setting<>(
        key,
        def,
        s -> {
          int v;
          try {
            v = Integer.parseInt(s.trim());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a whole number");
          }
          if (v < min || v > max) {
            throw new IllegalArgumentException(v + " is outside " + min + ".." + max);
          }
          return v;
        },
        description);
  }

  public static Setting<Boolean> bool(String key, boolean def, String description) {
    return new Setting<>(
        key,
        def,
        s ->
            switch (s.trim().toLowerCase()) {
              case "true", "yes", "on" -> true;
              case "false", "no", "off" -> false;
              default -> throw new IllegalArgumentException("'" + s + "' is not true or false");
            },
        description);
  }

  public static Setting<Duration> duration(String key, Duration def, String description) {
    return new Setting<>(
        key,
        def,
        s -> {
          String t = s.trim();
          try {
            if (t.endsWith("ms")) {
              return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            } else if (t.endsWith("s")) {
              return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            } else if (t.endsWith("m")) {
              return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            }
          } catch (NumberFormatException e) {
            // fall through to the error below
          }
          throw new IllegalArgumentException("'" + s + "' is not a duration like 500ms, 30s or 5m");
        },
        description);
  }

  /**
   * A listening address: {@code host:port} or {@code [v6]:port}; empty means "off" (no address).
   */
  public static Setting<Optional<InetSocketAddress>> address(
      String key, String def, String description) {
    return new Setting<>(key, parseAddress(def), Setting::parseAddress, description);
  }

  private static Optional<InetSocketAddress> parseAddress(String value) {
    String v = value.trim();
    if (v.isEmpty()) {
      return Optional.empty();
    }
    int colon = v.lastIndexOf(':');
    if (colon <= 0 || colon == v.length() - 1) {
      throw new IllegalArgumentException("'" + value + "' is not host:port");
    }
    String host = v.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(v.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' has no numeric port");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 0..65535");
    }
    return Optional.of(new InetSocketAddress(host, port));
  }

  public static <E extends Enum<E>> Setting<E> oneOf(
      String key, E def, Class<E> type, String description) {
    return new Setting<>(
        key,
        def,
        s -> {
          for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(s.trim())) {
              return e;
            }
          }
          throw new IllegalArgumentException(
              "'"
                  + s
                  + "' is not one of "
                  + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase());
        },
        description);
  }
}
