package dev.netpol.itests.conformance;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * One upstream e2e case: number (1-48 as in upstream-e2e-cases.md), block, exact name and its
 * steps.
 */
public record ConformanceCase(
    int number, Block block, String name, Function<CaseEnv, List<Step>> script) {

  /** Upstream's three Describe blocks. */
  public enum Block {
    MAIN("NetworkPolicy between server and client"),
    UDP("NetworkPolicy between server and client using UDP"),
    SCTP("NetworkPolicy between server and client using SCTP");

    public final String context;

    Block(String context) {
      this.context = context;
    }
  }

  public List<Step> steps(CaseEnv env) {
    return script.apply(env);
  }

  /** Upstream's full test name (tags approximated). */
  public String fullName() {
    String describe =
        switch (block) {
          case MAIN -> "[sig-network] Netpol ";
          case UDP -> "[sig-network] Netpol [LinuxOnly] ";
          case SCTP -> "[sig-network] Netpol [Feature:SCTPConnectivity] [LinuxOnly] ";
        };
    return describe + block.context + " " + name + " [Feature:NetworkPolicy]";
  }

  /**
   * The (port, protocol) pairs the case probes: what the pods must serve, checked before the first
   * policy.
   */
  public Set<PortProtocol> probed(CaseEnv env) {
    Set<PortProtocol> out = new LinkedHashSet<>();
    for (Step s : steps(env)) {
      if (s instanceof Step.Validate v) {
        out.add(new PortProtocol(v.port(), v.protocol()));
      }
    }
    return out;
  }

  /** One served port, e.g. 80/TCP. */
  public record PortProtocol(int port, Protocol protocol) {
    @Override
    public String toString() {
      return port + "/" + protocol;
    }
  }

  @Override
  public String toString() {
    return "#" + number + " " + block + " " + name;
  }
}
