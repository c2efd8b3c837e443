# probe.py HOST PORT [SPORT]: prints 1 if a TCP echo round trip works within 2.5 s (a busy shared box), else 0.
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
try:
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(2.5)
    if len(sys.argv) > 3:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", int(sys.argv[3])))
    s.connect((host, port))
    s.sendall(b"x")
    print(1 if s.recv(1) == b"x" else 0)
except Exception:
    print(0)
