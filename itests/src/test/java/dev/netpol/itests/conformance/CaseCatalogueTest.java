package dev.netpol.itests.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.itests.conformance.ConformanceCase.Block;
import dev.netpol.itests.conformance.ConformanceCase.PortProtocol;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CaseCatalogueTest {
  @Test
  void has48CasesNumberedInUpstreamOrderAndBlocks() {
    List<ConformanceCase> all = CaseCatalogue.all();
    assertEquals(
        IntStream.rangeClosed(1, 48).boxed().toList(),
        all.stream().map(ConformanceCase::number).toList());
    assertEquals(42, all.stream().filter(c -> c.block() == Block.MAIN).count());
    assertEquals(
        List.of(43, 44, 45),
        all.stream().filter(c -> c.block() == Block.UDP).map(ConformanceCase::number).toList());
    assertEquals(
        List.of(46, 47, 48),
        all.stream().filter(c -> c.block() == Block.SCTP).map(ConformanceCase::number).toList());
    for (Block b : Block.values()) {
      Set<String> names = new HashSet<>();
      all.stream()
          .filter(c -> c.block() == b)
          .forEach(c -> assertTrue(names.add(c.name()), "duplicate " + c));
    }
  }

  @Test
  void keepsUpstreamNames() {
    assertEquals(
        "should support a 'default-deny-ingress' policy", CaseCatalogue.byNumber(1).name());
    assertEquals(
        "should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed",
        CaseCatalogue.byNumber(36).name());
    assertEquals(
        "[sig-network] Netpol [Feature:SCTPConnectivity] [LinuxOnly] NetworkPolicy between server and client "
            + "using SCTP should enforce policy based on Ports [Feature:NetworkPolicy]",
        CaseCatalogue.byNumber(47).fullName());
  }

  @Test
  void probesTheUpstreamPortsAndProtocols() {
    FakeEnv env = new FakeEnv(false);
    assertEquals(List.of("80/TCP", "80/UDP"), probed(30, env));
    assertEquals(List.of("81/TCP", "80/TCP"), probed(15, env));
    assertEquals(List.of("81/TCP"), probed(38, env));
    assertEquals(List.of("81/UDP"), probed(44, env));
    assertEquals(List.of("80/SCTP"), probed(46, env));
    for (ConformanceCase c : CaseCatalogue.all()) {
      assertFalse(c.probed(env).isEmpty(), c + " validates nothing");
    }
  }

  private static List<String> probed(int n, CaseEnv env) {
    return CaseCatalogue.byNumber(n).probed(env).stream().map(PortProtocol::toString).toList();
  }

  static Stream<Arguments> casesAndFamilies() {
    return CaseCatalogue.all().stream()
        .flatMap(c -> Stream.of(Arguments.of(c, false), Arguments.of(c, true)));
  }

  /**
   * The catalogue's expectations follow from its own policies under plain NetworkPolicy semantics.
   */
  @ParameterizedTest(name = "{0} ipv6={1}")
  @MethodSource("casesAndFamilies")
  void everyExpectationFollowsFromThePolicies(ConformanceCase c, boolean ipv6) {
    FakeEnv env = new FakeEnv(ipv6);
    ReferenceEvaluator eval = new ReferenceEvaluator(env);
    for (Step s : c.steps(env)) {
      if (s instanceof Step.Validate v) {
        List<Reachability.Cell> wrong =
            v.reachability().wrongCells(eval.matrix(v.port(), v.protocol()));
        assertEquals(List.of(), wrong, c + " step " + v.what());
      } else {
        eval.apply(s);
      }
    }
  }

  /**
   * The cross-check is not vacuous: without its policies, every case but the two allow-all ones
   * mismatches.
   */
  @Test
  void expectationsNeedThePolicies() {
    FakeEnv env = new FakeEnv(false);
    List<Integer> satisfiedWithoutPolicies =
        CaseCatalogue.all().stream()
            .filter(
                c ->
                    c.steps(env).stream()
                        .filter(s -> s instanceof Step.Validate)
                        .map(s -> (Step.Validate) s)
                        .allMatch(
                            v ->
                                v.reachability()
                                    .wrongCells(
                                        new ReferenceEvaluator(env).matrix(v.port(), v.protocol()))
                                    .isEmpty()))
            .map(ConformanceCase::number)
            .toList();
    assertEquals(List.of(5, 16), satisfiedWithoutPolicies);
  }

  @Test
  void case28MatchesUpstreamsCommentTable() {
    Step.Validate v = (Step.Validate) CaseCatalogue.byNumber(28).steps(new FakeEnv(false)).get(3);
    String upstream =
        String.join(
            "\n",
            "X X X . X X X X X",
            ". . . X X . . . .",
            ". . . X X . . . .",
            ". . . X X . . . .",
            ". . . X X . . . .",
            ". . . X X . . . .",
            ". . . X X . . . .",
            ". . . X X . . . .",
            ". . . X X . . . .");
    StringBuilder ours = new StringBuilder();
    for (PodRef from : PodRef.ALL) {
      List<String> row = new ArrayList<>();
      for (PodRef to : PodRef.ALL) {
        row.add(v.reachability().expected(from, to) ? "." : "X");
      }
      ours.append(ours.length() > 0 ? "\n" : "").append(String.join(" ", row));
    }
    assertEquals(upstream, ours.toString());
  }

  @Test
  void case36ReplacesThePolicyByName() {
    List<Step> steps = CaseCatalogue.byNumber(36).steps(new FakeEnv(false));
    Step.CreatePolicy create = (Step.CreatePolicy) steps.get(0);
    Step.UpdatePolicy update = (Step.UpdatePolicy) steps.get(2);
    assertEquals(create.policy().name(), update.policy().name());
    assertEquals("0.0.0.0/4", create.policy().egressRules().get(0).peers().get(0).cidr());
    assertEquals(
        List.of("10.0.0.11/32"), create.policy().egressRules().get(0).peers().get(0).except());
    assertEquals("10.0.0.11/32", update.policy().egressRules().get(0).peers().get(0).cidr());
  }
}
