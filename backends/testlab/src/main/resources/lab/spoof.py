# spoof.py SRC DST SPORT DPORT: sends one forged IPv4 TCP SYN-ACK with a raw socket (CAP_NET_RAW).
import socket, struct, sys
src, dst, sport, dport = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
tcp = struct.pack("!HHIIBBHHH", sport, dport, 1, 1, 0x50, 0x12, 65535, 0, 0)
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, socket.inet_aton(src), socket.inet_aton(dst))
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.sendto(ip + tcp, (dst, 0))
print("sent")
