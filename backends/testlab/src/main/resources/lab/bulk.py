# bulk.py HOST PORT BYTES: sends BYTES to the echo server and reads them back within 8 s.
# Prints "ok" or "fail GOT". Full-size segments: path MTU discovery decides whether they arrive.
import socket, sys
host, port, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(8)
got = 0
try:
    s.connect((host, port))
    s.sendall(b"z" * size)
    while got < size:
        d = s.recv(65536)
        if not d:
            break
        got += len(d)
    print("ok" if got == size else "fail %d" % got, flush=True)
except Exception:
    print("fail %d" % got, flush=True)
