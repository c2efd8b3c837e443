# push.py serve PORT: on each connection the server sends a byte every 20 ms (the client never
#   writes). Prints "ready".
# push.py read HOST PORT SECONDS: connects, prints "connected", reads for SECONDS; prints "ok=N" or,
#   if no byte came for 1.5 s, "stalled after N".
import socket, sys, threading, time

if sys.argv[1] == "serve":
    port = int(sys.argv[2])
    def push(c):
        try:
            while True:
                c.sendall(b"x")
                time.sleep(0.02)
        except Exception:
            c.close()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(8)
    print("ready", flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=push, args=(c,), daemon=True).start()
else:
    host, port, seconds = sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    s = socket.create_connection((host, port), timeout=2.5)
    s.settimeout(1.5)
    print("connected", flush=True)
    n = 0
    end = time.time() + seconds
    try:
        while time.time() < end:
            d = s.recv(4096)
            if not d:
                break
            n += len(d)
        print("ok=%d" % n, flush=True)
    except socket.timeout:
        print("stalled after %d" % n, flush=True)
