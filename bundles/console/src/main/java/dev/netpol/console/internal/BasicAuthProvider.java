package dev.netpol.console.internal;

import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.felix.webconsole.spi.SecurityProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP Basic authentication of every console request against {@link Credentials}. Registered with
 * {@code webconsole.security.provider.id=netpol}; the launcher sets {@code
 * felix.webconsole.security.providers=netpol}, so the console serves nothing (not even with Felix's
 * default admin/admin) until this provider is there.
 */
final class BasicAuthProvider implements SecurityProvider {
  static final String ID = "netpol";
  static final String REALM = "netpol console";
  private static final Logger LOG = LoggerFactory.getLogger(BasicAuthProvider.class);
  private final ConsoleSecurity security;

  @Inject
  BasicAuthProvider(ConsoleSecurity security) {
    this.security = security;
  }

  @Override
  public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
    String user = userOf(request.getHeader("Authorization"));
    if (user != null) {
      return user;
    }
    if (request.getHeader("Authorization") != null) {
      LOG.warn(
          "console: wrong credentials from {} for {}",
          request.getRemoteAddr(),
          request.getRequestURI());
    }
    response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
    try {
      response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "credentials needed");
    } catch (IOException e) {
      response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
    }
    return null;
  }

  /** The user named by valid Basic credentials, else null. */
  String userOf(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    String decoded;
    try {
      decoded =
          new String(
              Base64.getDecoder().decode(authorization.substring(6).trim()),
              StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      return null;
    }
    String user = decoded.substring(0, colon);
    return security.credentials().matches(user, decoded.substring(colon + 1)) ? user : null;
  }

  @Override
  public boolean authorize(Object user, String role) {
    return true; // one user, who may do everything the console offers
  }

  @Override
  public void logout(HttpServletRequest request, HttpServletResponse response) {
    // Basic credentials live in the browser; the console's logout answers 401 to drop them
  }
}
