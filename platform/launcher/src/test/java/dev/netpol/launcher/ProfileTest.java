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
  void bundlesComeInTheOrderOfTheirLinesAndByNameWithinALine() throws IOException {
    jars("bundles", "a-1.jar", "netpol-watch-1.jar", "netpol-agent-1.jar", "z-1.jar", "b-1.jar");
    profile("z-*.jar\nnetpol-*.jar\n[ab]-*.jar\n");
    assertEquals(
        List.of("z-1.jar", "netpol-agent-1.jar", "netpol-watch-1.jar", "a-1.jar", "b-1.jar"),
        Profile.load(home, "p").bundles().keySet().stream()
            .map(x -> x.getFileName().toString())
            .toList());
  }

  @Test
  void aLineWithIfCountsOnlyWhenItsSettingIsOn() throws IOException {
    jars("bundles", "netpol-agent-1.jar", "netpol-console-1.jar", "jetty-12.jar");
    profile(
        """
        netpol-agent-*.jar
        netpol-console-*.jar 3 if netpol.console.enabled
        jetty-*.jar if netpol.console.enabled
        """);
    assertEquals(
        Map.of(home.resolve("bundles/netpol-agent-1.jar"), 2),
        Profile.load(home, "p", key -> false).bundles());
    assertEquals(
        Map.of(
            home.resolve("bundles/netpol-agent-1.jar"), 2,
            home.resolve("bundles/netpol-console-1.jar"), 3,
            home.resolve("bundles/jetty-12.jar"), 2),
        Profile.load(home, "p", "netpol.console.enabled"::equals).bundles());
  }

  @Test
  void theLauncherReadsASettingFromTheCommandLineElseFromEtcConfig() throws IOException {
    Files.createDirectories(home.resolve("etc/config"));
    Files.writeString(
        home.resolve("etc/config/netpol-console.cfg"),
        "# comment\n#netpol.console.enabled = false\nnetpol.console.enabled = true \n");
    assertEquals("true", Main.setting(home, Map.of(), "netpol.console.enabled"));
    assertEquals(
        "false",
        Main.setting(home, Map.of("netpol.console.enabled", "false"), "netpol.console.enabled"));
    assertNull(Main.setting(home, Map.of(), "netpol.other"));
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
    profile("a.jar 3 if\n");
    assertThrows(IOException.class, () -> Profile.load(home, "p"));
    profile("a.jar when x.y\n");
    assertThrows(IOException.class, () -> Profile.load(home, "p"));
  }
}
