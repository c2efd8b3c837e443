package dev.netpol.api.status;

import java.time.Instant;

/**
 * The outcome of one backend switch (a hand-over: the new backend programs every pod, is verified,
 * then the old one releases its kernel state).
 *
 * @param outcome {@code done}, {@code failed} (the old backend stays active) or {@code running}
 * @param pods pods programmed and verified on the new backend
 * @param detail one line for operators: what failed and why, or a summary
 */
public record BackendSwitch(
    String from,
    String to,
    String outcome,
    int pods,
    Instant started,
    Instant finished,
    String detail) {}
