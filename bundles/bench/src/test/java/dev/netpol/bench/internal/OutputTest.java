package dev.netpol.bench.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tables, plots and the report land in the results directory, readable. */
class OutputTest {
  @Test
  void tableWritesCsvAndJsonWithTheUnionOfColumns(@TempDir Path dir) throws Exception {
    Table t = new Table("x");
    t.add("a", 1, "b", 2.5);
    t.add("a", 2, "c", "with, comma");
    t.write(dir);
    List<String> csv = Files.readAllLines(dir.resolve("x.csv"));
    assertEquals(List.of("a,b,c", "1,2.50000,", "2,,\"with, comma\""), csv);
    String json = Files.readString(dir.resolve("x.json"));
    assertTrue(json.contains("\"c\" : \"with, comma\""), json);
  }

  @Test
  void chartsArePngsOfTheConfiguredSize(@TempDir Path dir) throws Exception {
    Map<String, List<Charts.Point>> lines = new LinkedHashMap<>();
    lines.put("bare", List.of(new Charts.Point(1, 20, 18, 22), new Charts.Point(1000, 21, 19, 23)));
    lines.put(
        "ebpf", List.of(new Charts.Point(1, 19, 18, 20), new Charts.Point(1000, Double.NaN, 0, 0)));
    Charts.lines(dir.resolve("l.png"), "t", "s", "x", "y", true, lines);
    Charts.scatter(
        dir.resolve("s.png"),
        "t",
        null,
        "x",
        "y",
        true,
        Map.of("a", List.of(new double[] {1, 2}, new double[] {2, 0})));
    Charts.bars(
        dir.resolve("b.png"), "t", "s", "c", "v", Map.of("ebpf", Map.of("p50", 3.0, "p99", 9.0)));
    for (String f : List.of("l.png", "s.png", "b.png")) {
      BufferedImage img = ImageIO.read(dir.resolve(f).toFile());
      assertEquals(Charts.WIDTH, img.getWidth(), f);
      assertEquals(Charts.HEIGHT, img.getHeight(), f);
    }
  }

  @Test
  void reportHasHeaderTargetsAndSections(@TempDir Path dir) throws Exception {
    Report r = new Report();
    r.target("t1", "≤ 2 µs", "+1.5 µs", Report.Verdict.MET, "");
    r.target("t2", "≥ 97 %", "90 %", Report.Verdict.MISSED, "why | pipe");
    r.section("## Datapath\n\ntext");
    r.note("load was high");
    Map<String, String> h = new LinkedHashMap<>();
    h.put("kernel", "6.18");
    r.write(dir.resolve("report.md"), "title", h);
    String md = Files.readString(dir.resolve("report.md"));
    assertTrue(md.startsWith("# title\n"), md);
    assertTrue(md.contains("| kernel | 6.18 |"), md);
    assertTrue(md.contains("| t2 | ≥ 97 % | 90 % | **missed** | why \\| pipe |"), md);
    assertTrue(md.contains("- load was high"), md);
    assertTrue(md.indexOf("## Targets") < md.indexOf("## Datapath"), md);
  }

  @Test
  void checkOutputNamesWhatIsMissing(@TempDir Path dir) throws Exception {
    Suite s =
        new Suite() {
          public String name() {
            return "demo";
          }

          public String summary() {
            return "";
          }

          public void plan(BenchContext ctx) {}

          public void run(BenchContext ctx) {}
        };
    assertEquals(
        List.of(
            "no report.md in " + dir,
            "demo: no results in " + dir.resolve("demo.csv"),
            "demo: no plot in " + dir),
        BenchCommand.checkOutput(dir, List.of(s)));
    Files.writeString(dir.resolve("report.md"), "# r");
    Files.writeString(dir.resolve("demo.csv"), "a\n1\n");
    Files.write(dir.resolve("demo-x.png"), new byte[] {1});
    assertEquals(List.of(), BenchCommand.checkOutput(dir, List.of(s)));
  }
}
