package dev.netpol.bench.internal.programming;

import dev.netpol.bench.internal.BenchContext;
import dev.netpol.bench.internal.Suite;

public final class ProgrammingSuite implements Suite {
  @Override
  public String name() {
    return "programming";
  }

  @Override
  public String summary() {
    return "(not implemented yet)";
  }

  @Override
  public void plan(BenchContext ctx) {}

  @Override
  public void run(BenchContext ctx) throws Exception {
    throw new UnsupportedOperationException("not yet");
  }
}
