#!/usr/bin/python3
"""tests/helpers/dnsd.py: a tiny DNS responder for the tests, on loopback only.

    dnsd.py ADDR PORT NAME IPV4 [READY_FILE]

Answers A queries for NAME with IPV4, and every other query with NXDOMAIN.
ADDR must be a loopback address (the tests never send traffic anywhere
else). Writes READY_FILE once it listens, then serves until killed.
"""
import ipaddress
import socket
import struct
import sys


def parse_name(msg, off):
    labels = []
    while True:
        n = msg[off]
        off += 1
        if n == 0:
            return ".".join(labels).lower(), off
        if n & 0xC0:
            raise ValueError("compressed names are not expected in a question")
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n


def answer(query, name, ipv4):
    ident, flags, qdcount = struct.unpack("!HHH", query[:6])
    if qdcount != 1 or flags & 0x8000:
        return None
    qname, off = parse_name(query, 12)
    qtype, qclass = struct.unpack("!HH", query[off:off + 4])
    question = query[12:off + 4]
    rd = flags & 0x0100
    if qname.rstrip(".") == name and qtype == 1 and qclass == 1:
        header = struct.pack("!HHHHHH", ident, 0x8400 | rd, 1, 1, 0, 0)
        rr = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton(ipv4)
        return header + question + rr
    rcode = 0 if qname.rstrip(".") == name else 3  # NODATA or NXDOMAIN
    return struct.pack("!HHHHHH", ident, 0x8400 | rd | rcode, 1, 0, 0, 0) + question


def main():
    addr, port, name, ipv4 = sys.argv[1], int(sys.argv[2]), sys.argv[3].lower(), sys.argv[4]
    if not ipaddress.ip_address(addr).is_loopback:
        sys.exit("dnsd.py: %s is not a loopback address" % addr)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, port))
    if len(sys.argv) > 5:
        with open(sys.argv[5], "w") as f:
            f.write("ready\n")
    while True:
        query, peer = sock.recvfrom(512)
        try:
            reply = answer(query, name, ipv4)
        except (ValueError, IndexError, struct.error):
            reply = None
        if reply:
            sock.sendto(reply, peer)


if __name__ == "__main__":
    main()
