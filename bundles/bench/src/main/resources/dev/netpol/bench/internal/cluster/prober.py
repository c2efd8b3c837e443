#!/usr/bin/env python3
"""netpol bench prober, run inside a pod's network namespace.

  prober.py HOST PORT --interval-ms N --timeout-ms T --out FILE

Opens a new TCP connection to HOST:PORT every N ms (non-blocking, several may be in flight),
and writes one line per attempt when it ends:

  START_MONOTONIC_NS RESULT DURATION_NS LOCAL_PORT

RESULT is ok (handshake done), timeout (nothing within T ms: dropped), or the errno name (e.g.
ECONNREFUSED). Connections are closed with a reset (SO_LINGER 0) so no TIME_WAIT piles up.
START uses CLOCK_MONOTONIC, the clock of Java's System.nanoTime. The first line is
'# clock monotonic_ns=M realtime_ns=R' to relate it to packet captures. Runs until killed."""
import errno, os, selectors, socket, struct, sys, time

def main(argv):
    host, port = argv[1], int(argv[2])
    opts = dict(zip(argv[3::2], argv[4::2]))
    interval = int(float(opts.get("--interval-ms", "10")) * 1e6)
    timeout = int(float(opts.get("--timeout-ms", "1000")) * 1e6)
    out = open(opts["--out"], "w", buffering=1)
    out.write(f"# clock monotonic_ns={time.monotonic_ns()} realtime_ns={time.time_ns()}\n")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    linger = struct.pack("ii", 1, 0)
    sel = selectors.DefaultSelector()
    pending = {}
    next_at = time.monotonic_ns()

    def finish(s, start, result):
        try:
            lport = s.getsockname()[1]
        except OSError:
            lport = 0
        out.write(f"{start} {result} {time.monotonic_ns() - start} {lport}\n")
        if s in pending:
            del pending[s]
            sel.unregister(s)
        s.close()

    while True:
        now = time.monotonic_ns()
        if now >= next_at:
            s = socket.socket(family, socket.SOCK_STREAM)
            s.setblocking(False)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            start = time.monotonic_ns()
            err = s.connect_ex((host, port))
            if err == errno.EINPROGRESS:
                pending[s] = start
                sel.register(s, selectors.EVENT_WRITE, start)
            else:
                finish(s, start, "ok" if err == 0 else errno.errorcode.get(err, str(err)))
            next_at += interval
            if next_at < now:  # never burst to catch up after a stall
                next_at = now + interval
        deadline = min([next_at] + [st + timeout for st in pending.values()])
        wait = max(0, deadline - time.monotonic_ns()) / 1e9
        for key, _ in sel.select(wait):
            s = key.fileobj
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            finish(s, key.data, "ok" if err == 0 else errno.errorcode.get(err, str(err)))
        now = time.monotonic_ns()
        for s, st in list(pending.items()):
            if now - st >= timeout:
                finish(s, st, "timeout")

if __name__ == "__main__":
    sys.exit(main(sys.argv))
