package dev.netpol.bench.internal;

/** One part of {@code netpol bench}: measures, writes its tables and plots, adds its section. */
public interface Suite {
  String name();

  /** One line for the help text. */
  String summary();

  /** Adds this suite's points to the progress plan (called for every suite before any runs). */
  void plan(BenchContext ctx);

  void run(BenchContext ctx) throws Exception;
}
