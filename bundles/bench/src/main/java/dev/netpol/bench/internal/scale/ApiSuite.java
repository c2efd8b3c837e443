package dev.netpol.bench.internal.scale;

import dev.netpol.bench.internal.BenchContext;
import dev.netpol.bench.internal.Suite;

public final class ApiSuite implements Suite {
  @Override
  public String name() {
    return "api";
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
