package dev.netpol.itests;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every setting a bundle declares is documented, with its default, in a file of etc/config. */
class SettingsDocumentedTest {
  private static final Pattern DECLARED =
      Pattern.compile(
          "(?:Setting\\.(?:string|integer|bool|duration|address|oneOf)|new Setting<>)\\(\\s*\"([a-z0-9.-]+)\"");

  @Test
  void everyDeclaredSettingHasAnEntryInEtcConfig() throws IOException {
    Path root = Path.of(System.getProperty("user.dir")).getParent();
    Set<String> declared = new TreeSet<>();
    for (String dir : new String[] {"bundles", "backends"}) {
      try (Stream<Path> files = Files.walk(root.resolve(dir))) {
        for (Path f :
            files
                .filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/"))
                .toList()) {
          Matcher m = DECLARED.matcher(Files.readString(f));
          while (m.find()) {
            declared.add(m.group(1));
          }
        }
      }
    }
    StringBuilder docs = new StringBuilder();
    try (Stream<Path> cfgs = Files.list(root.resolve("distribution/src/etc/config"))) {
      for (Path c : cfgs.toList()) {
        docs.append(Files.readString(c));
      }
    }
    assertTrue(declared.size() >= 15, "settings found: " + declared);
    Set<String> missing = new TreeSet<>();
    for (String key : declared) {
      if (!Pattern.compile("(?m)^#?" + Pattern.quote(key) + " =").matcher(docs).find()) {
        missing.add(key);
      }
    }
    assertEquals(
        Set.of(), missing, "settings without an entry in distribution/src/etc/config/*.cfg");
  }
}
