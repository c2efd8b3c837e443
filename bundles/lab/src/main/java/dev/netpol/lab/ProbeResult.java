package dev.netpol.lab;

/** Outcome of one probe: connected or not, and what the probe printed (e.g. the reason). */
public record ProbeResult(boolean connected, String detail) {}
