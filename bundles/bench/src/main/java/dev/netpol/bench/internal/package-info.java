/**
 * {@code netpol bench}: the benchmark harness (suites datapath, programming, scale, api), its
 * results tables, plots and report. Private to the bench bundle.
 */
package dev.netpol.bench.internal;
