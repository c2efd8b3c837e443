#!/usr/bin/env python3
"""netpol lab pod helper, run inside a pod's network namespace.

  labpod.py serve --name NAME [--tcp 80,81] [--udp 80,81] [--sctp 80,81] [--log FILE]
      TCP: accept and reply the pod name; UDP: reply the pod name to every datagram;
      SCTP: the kernel has no SCTP sockets, so a raw socket (IP protocol 132) captures INIT
      chunks to served ports, records them in --log and answers with an INIT-ACK.
  labpod.py probe --protocol tcp|udp|sctp [--timeout 1.0] HOST PORT
      Prints 'connected' (exit 0) or 'blocked: REASON' (exit 1), like agnhost connect.
One single-threaded process per pod keeps memory low."""
import os, random, select, socket, struct, sys, time

SCTP = 132
_T = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    _T.append(c)

def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _T[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF

def sctp_packet(sport, dport, vtag, chunk):
    pkt = struct.pack("!HHII", sport, dport, vtag, 0) + chunk
    return pkt[:8] + struct.pack("<I", crc32c(pkt)) + pkt[12:]

def init_chunk(tag):  # INIT: initiate tag, a_rwnd, outbound/inbound streams, initial TSN
    return struct.pack("!BBHIIHHI", 1, 0, 20, tag, 65535, 1, 1, tag)

def init_ack_chunk(tag):  # INIT-ACK with a small state cookie parameter
    return struct.pack("!BBHIIHHI", 2, 0, 28, tag, 65535, 1, 1, tag) + struct.pack("!HHI", 7, 8, tag)

def parse(family, data):
    """(sport, dport, vtag, chunk type, first chunk body) of a received SCTP packet, or None."""
    if family == socket.AF_INET:
        data = data[(data[0] & 0x0F) * 4:]
    if len(data) < 16:
        return None
    sport, dport, vtag = struct.unpack("!HHI", data[:8])
    return sport, dport, vtag, data[12], data[16:]

def listen(kind, port):
    for family, host in ((socket.AF_INET6, "::"), (socket.AF_INET, "0.0.0.0")):
        try:
            s = socket.socket(family, kind)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            s.bind((host, port))
            if kind == socket.SOCK_STREAM:
                s.listen(128)
            s.setblocking(False)
            return s
        except OSError:
            s.close()
    raise SystemExit(f"labpod: cannot bind {port}")

def ports(v):
    return [int(p) for p in v.split(",") if p] if v else []

def serve(opts):
    name = opts.get("--name", "pod").encode() + b"\n"
    log = open(opts["--log"], "a", buffering=1) if "--log" in opts else None
    tcp = {listen(socket.SOCK_STREAM, p): p for p in ports(opts.get("--tcp"))}
    udp = {listen(socket.SOCK_DGRAM, p): p for p in ports(opts.get("--udp"))}
    sctp_ports = set(ports(opts.get("--sctp")))
    raw = []
    if sctp_ports:
        for family in (socket.AF_INET, socket.AF_INET6):
            try:
                raw.append(socket.socket(family, socket.SOCK_RAW, SCTP))
            except OSError:
                pass
    socks = list(tcp) + list(udp) + raw
    print("serving", flush=True)  # the lab waits for this line before it reports the pod
    while True:
        for s in select.select(socks, [], [])[0]:
            try:
                if s in tcp:
                    c, _ = s.accept()
                    c.setblocking(True); c.settimeout(1)
                    try:
                        c.sendall(name)
                    finally:
                        c.close()
                elif s in udp:
                    data, peer = s.recvfrom(65535)
                    s.sendto(name, peer)
                else:
                    data, peer = s.recvfrom(65535)
                    p = parse(s.family, data)
                    if not p or p[3] != 1 or p[1] not in sctp_ports or len(p[4]) < 4:
                        continue  # only INITs to served ports are answered
                    tag = struct.unpack("!I", p[4][:4])[0]
                    if log:
                        log.write(f"{time.time():.3f} sctp {peer[0]}:{p[0]} -> :{p[1]}\n")
                    s.sendto(sctp_packet(p[1], p[0], tag, init_ack_chunk(random.getrandbits(32) or 1)), (peer[0], 0))
            except OSError:
                pass

def probe(opts, host, port):
    proto, timeout = opts.get("--protocol", "tcp"), float(opts.get("--timeout", "1").rstrip("s"))
    reply = b""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        if proto == "tcp":
            s = socket.create_connection((host, port), timeout=timeout)
            try:
                reply = s.recv(256)  # the server's name; only informative
            except OSError:
                pass
            s.close()
        elif proto == "udp":
            s = socket.socket(family, socket.SOCK_DGRAM)
            s.settimeout(timeout)
            s.sendto(b"hostname\n", (host, port))
            reply = s.recv(65535)
            if not reply:
                raise OSError("empty reply")
        elif proto == "sctp":
            s = socket.socket(family, socket.SOCK_RAW, SCTP)
            sport, tag = random.randint(32768, 60999), random.getrandbits(32) or 1
            s.sendto(sctp_packet(sport, port, 0, init_chunk(tag)), (host, 0))
            end = time.time() + timeout
            while True:
                left = end - time.time()
                if left <= 0 or not select.select([s], [], [], left)[0]:
                    raise OSError("timed out")
                data, peer = s.recvfrom(65535)
                p = parse(family, data)
                if p and p[:3] == (port, sport, tag) and p[3] == 2:
                    break
        else:
            raise SystemExit(f"labpod: unknown protocol {proto}")
    except (OSError, socket.timeout) as e:
        print(f"blocked: {e}")
        return 1
    name = reply.decode(errors="replace").strip()
    print("connected" + (f" (reply: {name})" if name else ""))
    return 0

def main(argv):
    opts, args, i = {}, [], 1
    while i < len(argv):
        if argv[i].startswith("--"):
            opts[argv[i]] = argv[i + 1]; i += 2
        else:
            args.append(argv[i]); i += 1
    if args and args[0] == "serve":
        serve(opts)
    elif len(args) == 3 and args[0] == "probe":
        return probe(opts, args[1], int(args[2]))
    print(__doc__, file=sys.stderr)
    return 2

if __name__ == "__main__":
    sys.exit(main(sys.argv))
