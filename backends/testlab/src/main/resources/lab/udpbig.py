# udpbig.py serve PORT SIZE: answers every datagram with SIZE bytes (fragmented by IP). "ready".
# udpbig.py ask HOST PORT: sends one datagram, waits 2 s for the answer; prints its length or
#   "timeout" (up to 3 tries).
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[2] and sys.argv[1] == "ask" else socket.AF_INET
if sys.argv[1] == "serve":
    port, size = int(sys.argv[2]), int(sys.argv[3])
    socks = []
    for f, a in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        s = socket.socket(f, socket.SOCK_DGRAM)
        if f == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((a, port))
        socks.append(s)
    import threading
    def serve(s):
        while True:
            _, peer = s.recvfrom(100)
            s.sendto(b"u" * size, peer)
    for s in socks:
        threading.Thread(target=serve, args=(s,), daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()
else:
    host, port = sys.argv[2], int(sys.argv[3])
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(2)
    for _ in range(3):
        s.sendto(b"?", (host, port))
        try:
            d, _ = s.recvfrom(65536)
            print(len(d), flush=True)
            sys.exit(0)
        except socket.timeout:
            pass
    print("timeout", flush=True)
