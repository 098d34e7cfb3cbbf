#!/usr/bin/env python3
"""Sends UDP datagrams with a forged source address and port through a raw socket (needs root or CAP_NET_RAW).

usage: spoof-udp.py SRC_IP SRC_PORT DST_IP DST_PORT PAYLOAD    one datagram
       spoof-udp.py --lines     one datagram per stdin line "SRC_IP SRC_PORT DST_IP DST_PORT PAYLOAD", each
                                acknowledged with a line "sent" on stdout (a test keeps one process for many)

The loop tests use it to play the attacker who starts a reply loop between two servers. Exit 0 when sent, 77 when
raw sockets are refused here (the caller skips), 2 on bad arguments. Only loopback or test namespaces' addresses.
"""
import ipaddress
import socket
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def main(argv):
    if argv[1:] == ["--lines"]:
        for line in sys.stdin:
            code = send(line.split(" ", 4))
            if code != 0:
                return code
            print("sent", flush=True)
        return 0
    if len(argv) != 6:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    return send(argv[1:])


def send(args):
    src, sport, dst, dport, payload = args[0], int(args[1]), args[2], int(args[3]), args[4].rstrip("\n").encode()
    source, target = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    udp_length = 8 + len(payload)
    try:
        if source.version == 4:
            # IPPROTO_RAW: we write the IP header, so the source address is ours to choose
            sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
            pseudo = source.packed + target.packed + struct.pack("!BBH", 0, socket.IPPROTO_UDP, udp_length)
            udp = struct.pack("!HHHH", sport, dport, udp_length, 0) + payload
            udp = udp[:6] + struct.pack("!H", checksum(pseudo + udp) or 0xFFFF) + udp[8:]
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_length, 0, 0, 64, socket.IPPROTO_UDP, 0,
                             source.packed, target.packed)
            sock.sendto(ip + udp, (dst, 0))
        else:
            # IPv6 has no header-included raw socket: bind the source address, write the UDP header, and let the
            # kernel fill in the checksum at offset 6
            sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_UDP)
            sock.setsockopt(socket.IPPROTO_IPV6, 7, 6)  # IPV6_CHECKSUM
            sock.bind((src, 0))
            sock.sendto(struct.pack("!HHHH", sport, dport, udp_length, 0) + payload, (dst, 0))
    except PermissionError as e:
        print("raw sockets are refused here (%s): run as root" % e, file=sys.stderr)
        return 77
    sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
