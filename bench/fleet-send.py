#!/usr/bin/python3
"""Simulated hosts for bench/fleet.sh, in collectd's binary network protocol.

  fleet-send.py capture PORT SECONDS          > SHAPE
  fleet-send.py send SHAPE PORT HOSTS SECONDS [PREFIX]
  fleet-send.py stats SOCKET                  (rrdcached's STATS)

capture listens on 127.0.0.1:PORT for SECONDS while a real collectd with
lowmem sends to it, and writes the value lists of its fullest second, one
a line: plugin, plugin instance, type, type instance, interval (s), the
data source types (g, d, c, a) and the values, tab-separated. That is the
shape a real host sends each second.

send replays SHAPE as HOSTS hosts (PREFIX0001, ...) to 127.0.0.1:PORT,
each once a second for SECONDS, the hosts spread over the second (as
independent machines are), each value list stamped with its second. It
prints, on exit, the packets and value lists sent, the seconds missed
(when the sender itself fell behind), and its CPU time.
"""
import os
import resource
import socket
import struct
import sys
import time

PART_HOST, PART_TIME, PART_PLUGIN, PART_PLUGIN_INSTANCE = 0, 1, 2, 3
PART_TYPE, PART_TYPE_INSTANCE, PART_VALUES, PART_INTERVAL = 4, 5, 6, 7
PART_TIME_HR, PART_INTERVAL_HR = 8, 9
DS_CODES = {0: "c", 1: "g", 2: "d", 3: "a"}
DS_TYPES = {v: k for k, v in DS_CODES.items()}
# collectd's default network buffer: one UDP packet holds at most this.
PACKET_MAX = 1452
HR = 1 << 30  # cdtime_t units a second


def parse(packet):
    """The value lists of one packet: (time, identifier, interval, types,
    values). Notifications and unknown parts are skipped."""
    state = {}
    out = []
    pos = 0
    while pos + 4 <= len(packet):
        ptype, plen = struct.unpack_from("!HH", packet, pos)
        if plen < 4 or pos + plen > len(packet):
            break
        body = packet[pos + 4:pos + plen]
        if ptype in (PART_HOST, PART_PLUGIN, PART_PLUGIN_INSTANCE, PART_TYPE,
                     PART_TYPE_INSTANCE):
            state[ptype] = body.rstrip(b"\0").decode("utf-8", "replace")
        elif ptype in (PART_TIME, PART_INTERVAL) and len(body) == 8:
            state[ptype + 100] = struct.unpack("!Q", body)[0] * HR
        elif ptype == PART_TIME_HR and len(body) == 8:
            state[PART_TIME + 100] = struct.unpack("!Q", body)[0]
        elif ptype == PART_INTERVAL_HR and len(body) == 8:
            state[PART_INTERVAL + 100] = struct.unpack("!Q", body)[0]
        elif ptype == PART_VALUES and len(body) >= 2:
            n = struct.unpack_from("!H", body)[0]
            if len(body) != 2 + 9 * n:
                break
            types = body[2:2 + n]
            values = []
            for i in range(n):
                raw = body[2 + n + 8 * i:2 + n + 8 * (i + 1)]
                if types[i] == 1:
                    values.append(repr(struct.unpack("<d", raw)[0]))
                elif types[i] == 2:
                    values.append(str(struct.unpack("!q", raw)[0]))
                else:
                    values.append(str(struct.unpack("!Q", raw)[0]))
            ident = tuple(state.get(p, "") for p in (
                PART_PLUGIN, PART_PLUGIN_INSTANCE, PART_TYPE, PART_TYPE_INSTANCE))
            out.append((state.get(PART_TIME + 100, 0), ident,
                        state.get(PART_INTERVAL + 100, HR) / HR,
                        "".join(DS_CODES.get(t, "?") for t in types), values))
        pos += plen
    return out


def capture(port, seconds):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    sock.settimeout(0.2)
    by_second = {}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            packet = sock.recv(65536)
        except socket.timeout:
            continue
        for t, ident, interval, types, values in parse(packet):
            by_second.setdefault(t // HR, {})[ident] = (interval, types, values)
    if not by_second:
        sys.exit("fleet-send: nothing received on port %d in %d s" % (port, seconds))
    counts = [len(by_second[t]) for t in sorted(by_second)]
    sys.stderr.write("fleet-send: value lists per second captured: %s\n"
                     % " ".join(map(str, counts)))
    fullest = max(by_second.values(), key=len)
    for ident, (interval, types, values) in sorted(fullest.items()):
        print("\t".join(list(ident) + ["%g" % interval, types, ",".join(values)]))


def part_string(ptype, s):
    b = s.encode() + b"\0"
    return struct.pack("!HH", ptype, 4 + len(b)) + b


def part_values(types, values):
    out = struct.pack("!HHH", PART_VALUES, 4 + 2 + 9 * len(types), len(types))
    out += bytes(DS_TYPES[t] for t in types)
    for t, v in zip(types, values):
        if t == "g":
            out += struct.pack("<d", float(v))
        elif t == "d":
            out += struct.pack("!q", int(float(v)))
        else:
            out += struct.pack("!Q", int(float(v)))
    return out


def packets_of(host, shape):
    """The packets of one host's second, as collectd packs them: the host
    and time first (the time patched each second at the offset returned),
    then the value lists, each identifier part only when it changes."""
    packets = []
    head = part_string(PART_HOST, host)
    time_at = len(head) + 4
    head += struct.pack("!HHQ", PART_TIME_HR, 12, 0)
    cur = bytearray(head)
    last = {}
    interval_part = None
    for plugin, pinst, typ, tinst, interval, types, values in shape:
        body = b""
        ipart = struct.pack("!HHQ", PART_INTERVAL_HR, 12, int(float(interval) * HR))
        for ptype, s in ((PART_PLUGIN, plugin), (PART_PLUGIN_INSTANCE, pinst),
                         (PART_TYPE, typ), (PART_TYPE_INSTANCE, tinst)):
            if last.get(ptype) != s:
                body += part_string(ptype, s)
        if ipart != interval_part:
            body += ipart
        body += part_values(types, values.split(","))
        if len(cur) + len(body) > PACKET_MAX:
            packets.append(cur)
            cur = bytearray(head)
            body = b""
            for ptype, s in ((PART_PLUGIN, plugin), (PART_PLUGIN_INSTANCE, pinst),
                             (PART_TYPE, typ), (PART_TYPE_INSTANCE, tinst)):
                body += part_string(ptype, s)
            body += ipart + part_values(types, values.split(","))
        cur += body
        last = {PART_PLUGIN: plugin, PART_PLUGIN_INSTANCE: pinst,
                PART_TYPE: typ, PART_TYPE_INSTANCE: tinst}
        interval_part = ipart
    packets.append(cur)
    return packets, time_at


def send(shape_file, port, hosts, seconds, prefix):
    with open(shape_file) as f:
        shape = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    if not shape or any(len(s) != 7 for s in shape):
        sys.exit("fleet-send: %s is not a shape (7 tab-separated fields a line)" % shape_file)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    target = ("127.0.0.1", port)
    all_packets = [packets_of("%s%04d" % (prefix, i + 1), shape) for i in range(hosts)]
    sent_packets = sent_values = missed = 0
    start = int(time.time()) + 1
    for second in range(start, start + seconds):
        stamp = second * HR
        for i, (packets, at) in enumerate(all_packets):
            due = second + i / hosts
            delay = due - time.time()
            if delay > 0:
                time.sleep(delay)
            elif delay < -1:
                missed += 1
                continue
            for p in packets:
                struct.pack_into("!Q", p, at, stamp)
                sock.sendto(p, target)
            sent_packets += len(packets)
            sent_values += len(shape)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print("packets %d values %d missed %d cpu_s %.3f per_host_packets %d per_host_values %d"
          % (sent_packets, sent_values, missed, ru.ru_utime + ru.ru_stime,
             len(all_packets[0][0]) if all_packets else 0, len(shape)))


def stats(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(path)
    sock.sendall(b"STATS\n")
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
        lines = data.decode().split("\n")
        head = lines[0].split(" ", 1)
        if head[0].lstrip("-").isdigit() and len(lines) > int(head[0]) + 1:
            break
    for line in data.decode().split("\n")[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            print("%s %s" % (k.strip(), v.strip()))


def main(argv):
    try:
        if argv[1:2] == ["capture"] and len(argv) == 4:
            return capture(int(argv[2]), int(argv[3]))
        if argv[1:2] == ["send"] and len(argv) in (6, 7):
            return send(argv[2], int(argv[3]), int(argv[4]), int(argv[5]),
                        argv[6] if len(argv) == 7 else "host")
        if argv[1:2] == ["stats"] and len(argv) == 3:
            return stats(argv[2])
    except ValueError as e:
        sys.exit("fleet-send: %s" % e)
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
