package dev.netpol.console.internal;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {
  @TempDir Path dir;

  @Test
  void aPasswordIsGeneratedOnceIntoAFileOnlyItsOwnerReads() throws Exception {
    Credentials c = Credentials.load("admin", "", dir.resolve("data"));
    Path file = dir.resolve("data/console.password");
    assertEquals(file, c.file());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String password = Files.readString(file).trim();
    assertTrue(password.length() >= 20, password);
    assertTrue(c.matches("admin", password));
    assertFalse(c.matches("admin", password + "x"));
    assertFalse(c.matches("root", password));
    assertFalse(c.matches("admin", "admin"), "never Felix's default");

    Credentials again = Credentials.load("admin", "", dir.resolve("data"));
    assertTrue(again.matches("admin", password), "the next start keeps the password");
    assertArrayEquals(c.fingerprint(), again.fingerprint());
  }

  @Test
  void aFileReadableByOthersIsTightenedAndAnEmptyOneIsAnError() throws Exception {
    Path file = dir.resolve("console.password");
    Files.writeString(file, "s3cret\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertTrue(Credentials.load("admin", "", dir).matches("admin", "s3cret"));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    Files.writeString(file, "\n");
    Exception e = assertThrows(Exception.class, () -> Credentials.load("admin", "", dir));
    assertTrue(e.getMessage().contains("console.password"), e.getMessage());
  }

  @Test
  void aConfiguredPasswordClearOrHashedWinsAndWritesNoFile() throws Exception {
    Credentials clear = Credentials.load("ops", "hunter2", dir);
    assertNull(clear.file());
    assertTrue(clear.matches("ops", "hunter2"));
    String digest =
        Base64.getEncoder()
            .encodeToString(MessageDigest.getInstance("SHA-256").digest("hunter2".getBytes()));
    Credentials hashed = Credentials.load("ops", "{sha-256}" + digest, dir);
    assertTrue(hashed.matches("ops", "hunter2"));
    assertFalse(hashed.matches("ops", "{sha-256}" + digest));
    assertFalse(Files.exists(dir.resolve("console.password")));
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class, () -> Credentials.load("ops", "{sha-256}abc", dir));
    assertTrue(bad.getMessage().contains("netpol.console.password"), bad.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Credentials.load(" ", "x", dir));
  }

  @Test
  void csrfTokensAreBoundToTheCredentialsAndToThisStart() throws Exception {
    Credentials a = Credentials.load("admin", "one", dir);
    Credentials b = Credentials.load("admin", "two", dir);
    CsrfTokens tokens = new CsrfTokens();
    String t = tokens.token(a);
    assertTrue(tokens.valid(a, t));
    assertFalse(tokens.valid(b, t), "another password, another token");
    assertFalse(new CsrfTokens().valid(a, t), "a restart makes new tokens");
    assertFalse(tokens.valid(a, null));
    assertFalse(tokens.valid(a, ""));
    assertFalse(tokens.valid(a, t.substring(1)));
  }
}
