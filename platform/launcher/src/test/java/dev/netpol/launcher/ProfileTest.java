package dev.netpol.launcher;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileTest {
  @TempDir Path home;

  private void jars(String dir, String... names) throws IOException {
    Files.createDirectories(home.resolve(dir));
    for (String n : names) {
      Files.writeString(home.resolve(dir).resolve(n), "");
    }
  }

  private void profile(String text) throws IOException {
    Files.createDirectories(home.resolve("etc/profiles"));
    Files.writeString(home.resolve("etc/profiles/p.list"), text);
  }

  @Test
  void linesMayGiveAStartLevelAndTheFirstMatchingLineDecides() throws IOException {
    jars("bundles/boot", "slf4j-api-2.jar");
    jars("bundles", "netpol-agent-1.jar", "netpol-console-1.jar", "webconsole-5.jar", "other.jar");
    profile(
        """
        # comment
        slf4j-*.jar
        netpol-console-*.jar 3   # late
        netpol-*.jar
        webconsole-*.jar 4
        """);
    Profile p = Profile.load(home, "p");
    assertEquals(List.of(home.resolve("bundles/boot/slf4j-api-2.jar")), p.bootBundles());
    assertEquals(
        Map.of(
            home.resolve("bundles/netpol-agent-1.jar"), 2,
            home.resolve("bundles/netpol-console-1.jar"), 3,
            home.resolve("bundles/webconsole-5.jar"), 4),
        p.bundles());
    assertEquals(4, p.topLevel());
  }

  @Test
  void aBadLevelNamesTheFileAndLine() throws IOException {
    profile("a.jar\nb.jar 1\n");
    IOException e = assertThrows(IOException.class, () -> Profile.load(home, "p"));
    assertTrue(e.getMessage().contains("p.list line 2"), e.getMessage());
    profile("a.jar x\n");
    assertThrows(IOException.class, () -> Profile.load(home, "p"));
    profile("a.jar 3 4\n");
    assertThrows(IOException.class, () -> Profile.load(home, "p"));
  }
}
