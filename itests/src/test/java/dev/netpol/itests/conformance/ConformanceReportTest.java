package dev.netpol.itests.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.itests.conformance.CaseResult.ModeResult;
import dev.netpol.itests.conformance.CaseResult.StepResult;
import dev.netpol.itests.conformance.ProbeTargets.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConformanceReportTest {
  @Test
  void tablesPassRatesAndDifferingCells(@TempDir Path dir) throws Exception {
    ConformanceReport report = new ConformanceReport();
    Reachability r = Reachability.allAllowed().expect("x/b", "x/a", false);
    Reachability.Cell cell = new Reachability.Cell(PodRef.of("x/b"), PodRef.of("x/a"), false, true);
    StepResult bad =
        new StepResult("80/TCP", List.of(cell), 1, 900, r.table(), "observed-table\n", 1, 3000);
    StepResult good = new StepResult("80/TCP", List.of(), 0, 500, r.table(), "", 0, 0);
    report.add(
        new CaseResult(
            CaseCatalogue.byNumber(3),
            "ebpf",
            "ipv4",
            Map.of(
                Mode.SERVICE,
                new ModeResult(Mode.SERVICE, false, null, List.of(bad)),
                Mode.POD,
                new ModeResult(Mode.POD, true, null, List.of(good))),
            java.time.Instant.parse("2026-11-25T20:46:01.5Z"),
            1234));
    report.add(
        new CaseResult(
            CaseCatalogue.byNumber(5),
            "ebpf",
            "ipv4",
            Map.of(
                Mode.SERVICE,
                new ModeResult(Mode.SERVICE, true, null, List.of(good)),
                Mode.POD,
                new ModeResult(Mode.POD, false, "baseline 80/TCP not all-allowed", List.of())),
            java.time.Instant.parse("2026-11-25T20:46:03Z"),
            800));
    assertEquals(
        List.of(
            "ebpf/ipv4/SERVICE: 1/2 passed (50.0%), failing #3",
            "ebpf/ipv4/POD: 1/2 passed (50.0%), failing #5"),
        report.passRates());
    report.write(dir);
    String md = Files.readString(dir.resolve("report.md"));
    assertTrue(
        md.contains(
            "| 3 | MAIN | should enforce policy to allow traffic from pods within server namespace "
                + "based on PodSelector | **FAIL** | 20:46:01 | 1.2 | 1 (3000) | 1 | 80/TCP: allowed but expected denied (1): x/b->x/a |"),
        md);
    assertTrue(md.contains("baseline 80/TCP not all-allowed"), md);
    assertTrue(md.contains("observed-table"), md);
    List<String> csv = Files.readAllLines(dir.resolve("report.csv"));
    assertEquals(5, csv.size());
    assertTrue(csv.get(1).startsWith("ebpf,ipv4,SERVICE,3,MAIN,\"should enforce"), csv.get(1));
    assertTrue(
        csv.get(1)
            .endsWith(
                ",fail,2026-11-25T20:46:01.500Z,1.23,1,3000,1,\"80/TCP: allowed but expected denied (1): x/b->x/a\""),
        csv.get(1));
  }
}
