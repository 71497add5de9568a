#!/usr/bin/env python3
"""A wire with a delay, for kernels without sch_netem (test/helpers/natLab.ts).

Each link is two TAP devices, one in each of two network namespaces (by their `ip netns` names);
every Ethernet frame one sends comes out of the other after that direction's delay, in order:

    delayLink.py NS_A:DEV_A:NS_B:DEV_B:MS_A_TO_B:MS_B_TO_A [...]

The devices exist while this process runs (no IFF_TUN_PERSIST): it prints "ready" once all are
made, and when it ends, by SIGTERM or SIGKILL or because the process that started it died
(PR_SET_PDEATHSIG), the kernel removes them. Needs root (setns, /dev/net/tun). A frame waits in a
queue per direction (the delay is the same for every frame of a direction, so due times come in
order); at most QUEUE_LIMIT frames wait per direction, like netem's default limit, and more are
dropped.
"""
import ctypes
import fcntl
import os
import select
import signal
import struct
import sys
import time
from collections import deque

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
QUEUE_LIMIT = 10000
NETNS_DIR = "/run/netns"

libc = ctypes.CDLL(None, use_errno=True)


def enter(netns):
    fd = os.open(os.path.join(NETNS_DIR, netns), os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns into {netns}: {os.strerror(err)}")
    finally:
        os.close(fd)


def tap(netns, name):
    enter(netns)
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


class Direction:
    def __init__(self, src, dst, delay_ms):
        self.src, self.dst, self.delay = src, dst, delay_ms / 1000
        self.queue = deque()

    def receive(self, now):
        while True:
            try:
                frame = os.read(self.src, 65536)
            except BlockingIOError:
                return
            except OSError:
                return
            if len(self.queue) < QUEUE_LIMIT:
                self.queue.append((now + self.delay, frame))

    def send_due(self, now):
        while self.queue and self.queue[0][0] <= now:
            _, frame = self.queue.popleft()
            try:
                os.write(self.dst, frame)
            except OSError:
                pass  # the device is going away: the frame is lost, as on a cut wire


def main(specs):
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    parent = os.getppid()
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    directions = []
    for spec in specs:
        ns_a, dev_a, ns_b, dev_b, a_to_b, b_to_a = spec.split(":")
        fd_a, fd_b = tap(ns_a, dev_a), tap(ns_b, dev_b)
        directions += [Direction(fd_a, fd_b, float(a_to_b)), Direction(fd_b, fd_a, float(b_to_a))]
    libc.setns(own, CLONE_NEWNET)
    by_fd = {d.src: d for d in directions}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    while os.getppid() == parent:
        now = time.monotonic()
        due = [d.queue[0][0] for d in directions if d.queue]
        timeout = max(0.0, min(due) - now) if due else 1.0
        readable, _, _ = select.select(list(by_fd), [], [], timeout)
        now = time.monotonic()
        for fd in readable:
            by_fd[fd].receive(now)
        for d in directions:
            d.send_due(now)


if __name__ == "__main__":
    main(sys.argv[1:])
