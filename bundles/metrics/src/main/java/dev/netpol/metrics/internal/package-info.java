/**
 * The node's and the controller's metrics in the Prometheus format, and the container's liveness
 * and readiness, served by one small HTTP server (settings in etc/config/netpol-metrics.cfg). Every
 * number is read at scrape time from the status services of {@code netpol-api}: this bundle keeps
 * no counters of its own.
 */
package dev.netpol.metrics.internal;
