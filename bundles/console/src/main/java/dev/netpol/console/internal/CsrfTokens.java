package dev.netpol.console.internal;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Synchronizer tokens for state-changing requests: an HMAC, under a key made at each start, of the
 * credentials' fingerprint. A token is valid for that user and password until the container
 * restarts; another site cannot read it (same-origin policy), so it cannot forge a POST that the
 * browser would send with the cached Basic credentials.
 */
final class CsrfTokens {
  /** Request header that carries the token (scripts); forms send the field {@link #FIELD}. */
  static final String HEADER = "X-Netpol-CSRF";

  static final String FIELD = "_csrf";
  private final byte[] key = new byte[32];

  CsrfTokens() {
    new SecureRandom().nextBytes(key);
  }

  String token(Credentials credentials) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(mac.doFinal(credentials.fingerprint()));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  boolean valid(Credentials credentials, String presented) {
    if (presented == null || presented.isEmpty()) {
      return false;
    }
    return MessageDigest.isEqual(
        token(credentials).getBytes(StandardCharsets.US_ASCII),
        presented.getBytes(StandardCharsets.US_ASCII));
  }
}
