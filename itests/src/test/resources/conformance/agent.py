#!/usr/bin/env python3
"""One per lab pod, run inside the pod's network namespace (ip netns exec NS python3 agent.py NAME [--no-servers] PORT...).

Serves (unless --no-servers, when the pod has servers of its own): TCP and UDP on every PORT (IPv4 and IPv6),
answering NAME (the pod's "ns/pod"). Always captures SCTP with a raw
capture of IP protocol 132: every SCTP INIT chunk to a served port is reported on stdout as
{"cap": <initiate tag>, "port": <dst port>}.
Probes: reads one JSON request per line on stdin, {"id", "p": tcp|udp|sctp, "h": address, "port", "t": timeout s,
"tok": initiate tag for sctp}, probes concurrently and answers {"id", "ok": bool, "r": reply or error}.
  tcp:  ok when the handshake completes within t (the reply, if any, is returned for diagnostics);
  udp:  sends "hostname\\n" and is ok when any reply arrives within t;
  sctp: sends one raw SCTP INIT (common header + INIT chunk, CRC32c) and is ok when it was sent; whether
        it arrived is decided by the destination's capture.
Prints "ready" once every server is bound. Exits when stdin closes."""
import json, os, random, select, socket, struct, sys, threading
from concurrent.futures import ThreadPoolExecutor

NAME = sys.argv[1]
SERVERS = "--no-servers" not in sys.argv[2:]
PORTS = [int(p) for p in sys.argv[2:] if p != "--no-servers"]
OUT = threading.Lock()


def emit(obj):
    line = json.dumps(obj) + "\n"
    with OUT:
        sys.stdout.write(line)
        sys.stdout.flush()


def crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


CRC = crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = CRC[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def sctp_init(sport, dport, tag):
    chunk = struct.pack("!BBHIIHHI", 1, 0, 20, tag, 65535, 1, 1, tag)
    pkt = bytearray(struct.pack("!HHII", sport, dport, 0, 0) + chunk)
    struct.pack_into("<I", pkt, 8, crc32c(bytes(pkt)))  # CRC32c is stored little-endian (RFC 4960 B)
    return bytes(pkt)


def families():
    fams = [socket.AF_INET]
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind(("::1", 0))
        s.close()
        fams.append(socket.AF_INET6)
    except OSError:
        pass
    return fams


def any_addr(fam):
    return "0.0.0.0" if fam == socket.AF_INET else "::"


def bind(fam, kind, port):
    s = socket.socket(fam, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((any_addr(fam), port))
    return s


def serve_tcp(s):
    s.listen(128)
    while True:
        c, _ = s.accept()
        try:
            c.sendall((NAME + "\n").encode())
        except OSError:
            pass
        finally:
            c.close()


def serve_udp(s):
    while True:
        _, peer = s.recvfrom(2048)
        try:
            s.sendto((NAME + "\n").encode(), peer)
        except OSError:
            pass


def capture_sctp(s, fam):
    while True:
        data = s.recv(65535)
        if fam == socket.AF_INET:
            data = data[(data[0] & 0x0F) * 4:]  # IPv4 raw sockets include the IP header, IPv6 ones do not
        if len(data) < 20:
            continue
        sport, dport = struct.unpack("!HH", data[:4])
        if data[12] == 1 and dport in PORTS:
            emit({"cap": struct.unpack("!I", data[16:20])[0], "port": dport, "sport": sport})


def probe(req):
    p, host, port, t = req["p"], req["h"], int(req["port"]), float(req["t"])
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        if p == "tcp":
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.settimeout(t)
            try:
                s.connect((host, port))
                try:
                    s.settimeout(0.2)
                    reply = s.recv(64).decode(errors="replace").strip()
                except OSError:
                    reply = ""
                return True, reply
            finally:
                s.close()
        if p == "udp":
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.settimeout(t)
            try:
                s.connect((host, port))
                s.send(b"hostname\n")
                return True, s.recv(2048).decode(errors="replace").strip()
            finally:
                s.close()
        if p == "sctp":
            s = socket.socket(fam, socket.SOCK_RAW, 132)
            try:
                s.sendto(sctp_init(random.randint(32768, 60999), port, int(req["tok"])), (host, 0))
                return True, "sent"
            finally:
                s.close()
        return False, "unknown protocol " + p
    except OSError as e:
        return False, type(e).__name__ + ": " + str(e)


def answer(req):
    ok, r = probe(req)
    emit({"id": req["id"], "ok": ok, "r": r})


def main():
    threads = []
    for fam in families():
        for port in PORTS if SERVERS else []:
            threads.append(threading.Thread(target=serve_tcp, args=(bind(fam, socket.SOCK_STREAM, port),), daemon=True))
            threads.append(threading.Thread(target=serve_udp, args=(bind(fam, socket.SOCK_DGRAM, port),), daemon=True))
        threads.append(threading.Thread(target=capture_sctp, args=(socket.socket(fam, socket.SOCK_RAW, 132), fam),
                                        daemon=True))
    for t in threads:
        t.start()
    emit({"ready": NAME})
    pool = ThreadPoolExecutor(max_workers=48)
    for line in sys.stdin:
        line = line.strip()
        if line:
            pool.submit(answer, json.loads(line))
    os._exit(0)


if __name__ == "__main__":
    main()
