# stream.py HOST PORT COUNT INTERVAL: one TCP connection, one echo round trip per interval.
# Prints "connected" once, then at the end "ok=N fail=M" (stops at the first failure).
import socket, sys, time
host, port, count, interval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
ok = fail = 0
try:
    for attempt in range(3):  # connecting is not what the callers test; a lost SYN on a busy box is
        try:
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.settimeout(2.5)
            s.connect((host, port))
            break
        except Exception:
            if attempt == 2:
                raise
    print("connected", flush=True)
    for i in range(count):
        try:
            s.sendall(b"y")
            if s.recv(1) != b"y":
                raise IOError("short")
            ok += 1
        except Exception:
            fail += 1
            break
        time.sleep(interval)
except Exception:
    fail += 1
print("ok=%d fail=%d" % (ok, fail), flush=True)
