package dev.netpol.console.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's one user. Its password is the configured one (clear, or {@code {sha-256}<base64
 * digest>} as the Felix console accepts it), else the content of {@code DATA_DIR/console.password},
 * generated at first start with mode 0600.
 */
final class Credentials {
  static final String FILE_NAME = "console.password";
  private static final Logger LOG = LoggerFactory.getLogger(Credentials.class);
  private static final String SHA256 = "{sha-256}";
  private final String user;
  private final byte[] digest;
  private final Path file;

  private Credentials(String user, byte[] digest, Path file) {
    this.user = user;
    this.digest = digest;
    this.file = file;
  }

  /**
   * @param configured the configured password, empty for the generated one
   * @param dataDir where the generated password is kept
   */
  static Credentials load(String user, String configured, Path dataDir) throws IOException {
    if (user.isBlank()) {
      throw new IllegalArgumentException("netpol.console.user: the user name is empty");
    }
    if (!configured.isEmpty()) {
      if (configured.startsWith(SHA256)) {
        byte[] d;
        try {
          d = Base64.getDecoder().decode(configured.substring(SHA256.length()));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "netpol.console.password: "
                  + SHA256
                  + " must be followed by a base64 SHA-256 digest");
        }
        if (d.length != 32) {
          throw new IllegalArgumentException(
              "netpol.console.password: the "
                  + SHA256
                  + " digest is "
                  + d.length
                  + " bytes, not 32");
        }
        return new Credentials(user, d, null);
      }
      return new Credentials(user, sha256(configured), null);
    }
    Path file = dataDir.resolve(FILE_NAME);
    return new Credentials(user, sha256(readOrCreate(file)), file);
  }

  private static String readOrCreate(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rw-------");
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(owner));
      byte[] random = new byte[18];
      new SecureRandom().nextBytes(random);
      String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
      LOG.info("console password generated in {} (mode 0600)", file);
      return password;
    } catch (FileAlreadyExistsException e) {
      if (!Files.getPosixFilePermissions(file).equals(owner)) {
        Files.setPosixFilePermissions(file, owner);
        LOG.warn("{} was readable by others; its mode is 0600 now", file);
      }
      String password = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (password.isEmpty()) {
        throw new IOException(file + " is empty: delete it to have a new password generated");
      }
      return password;
    }
  }

  String user() {
    return user;
  }

  /** Where the generated password is, or null when the password is configured. */
  Path file() {
    return file;
  }

  /** Whether {@code user}/{@code password} are this user's; in constant time for the password. */
  boolean matches(String user, String password) {
    boolean pw = MessageDigest.isEqual(digest, sha256(password));
    return pw & this.user.equals(user);
  }

  /** A value that changes whenever the password does (what CSRF tokens are bound to). */
  byte[] fingerprint() {
    return sha256(user + "\0" + Base64.getEncoder().encodeToString(digest));
  }

  static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
