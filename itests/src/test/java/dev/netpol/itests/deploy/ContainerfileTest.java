package dev.netpol.itests.deploy;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image definition shipped in the distribution: what it installs, copies and runs. */
class ContainerfileTest {
  private static final Path DIST = RenderedManifests.dist();

  @Test
  void theImageIsDebian12WithTheNodesPackagesAndRunsBinNetpol() throws Exception {
    ContainerImage image = ContainerImage.parse(DIST.resolve("Containerfile"));
    assertTrue(image.from().matches("(docker\\.io/)?(library/)?debian:12(-slim)?"), image.from());
    assertEquals(
        Set.of("openjdk-17-jre-headless", "libbpf1", "iproute2", "iptables", "ipset"),
        Set.copyOf(image.packages()));
    assertEquals(List.of("/opt/netpol/bin/netpol"), image.entrypoint());
    assertEquals("/opt/netpol", image.workdir());
    assertTrue(image.env().get("PATH").startsWith("/opt/netpol/bin:"), image.env().toString());
    assertEquals(List.of("/opt/netpol/bin/netpol", "--help"), image.command(List.of()));
    assertEquals(
        List.of("/opt/netpol/bin/netpol", "node", "--once"),
        image.command(List.of("node", "--once")));
  }

  @Test
  void everyPartOfTheDistributionIsInTheImageUnderOptNetpol() throws Exception {
    ContainerImage image = ContainerImage.parse(DIST.resolve("Containerfile"));
    Set<String> copied =
        image.copies().stream()
            .peek(c -> assertTrue(c.destination().startsWith("/opt/netpol/"), c.toString()))
            .map(c -> c.source().replaceAll("/$", ""))
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> parts;
    try (Stream<Path> s = Files.list(DIST)) {
      parts =
          s.map(p -> p.getFileName().toString())
              .filter(n -> !n.equals("Containerfile"))
              .collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(parts, copied, "top-level entries of " + DIST + " vs. the Containerfile's COPYs");
  }

  @Test
  void theAssembledTreeKeepsTheLauncherExecutable(@TempDir Path rootfs) throws Exception {
    ContainerImage image = ContainerImage.parse(DIST.resolve("Containerfile"));
    image.assemble(DIST, rootfs);
    Path launcher = rootfs.resolve("opt/netpol/bin/netpol");
    assertTrue(Files.isExecutable(launcher), launcher.toString());
    assertTrue(Files.isRegularFile(rootfs.resolve("opt/netpol/etc/config/netpol-agent.cfg")));
    assertTrue(Files.isRegularFile(rootfs.resolve("opt/netpol/lib/netpol-launcher.jar")));
  }

  @Test
  void instructionsTheTestCannotReproduceAreRejectedWithTheirLine() {
    String base = "FROM debian:12-slim\n";
    for (String bad :
        List.of(
            "ADD netpol.tar.gz /opt/\n",
            "RUN curl -fsSL https://example.invalid/x | sh\n",
            "COPY --chown=1000 bin/ /opt/netpol/bin/\n",
            "USER 1000\n",
            "ENTRYPOINT /opt/netpol/bin/netpol\n")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> ContainerImage.parse(base + bad));
      assertTrue(e.getMessage().contains(bad.strip().split(" ")[1]), e.getMessage());
    }
  }
}
