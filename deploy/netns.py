"""Hosts on a private test network, simulated on this machine with Linux network namespaces.

Each host is a network namespace (`ip netns`) with its own loopback and one interface, the inside end
of a veth pair whose outside end joins a bridge in the root namespace. The bridge carries an address
of the same /24 too, so programs in the root namespace (the front nginx, the tests) reach every host.
Nothing else changes in the root namespace: no default route, no DNS, no existing interface; the
namespaces have no default route at all, so nothing in them can send anywhere but the test network.

The addresses come from 198.18.0.0/15, the range RFC 2544 sets aside for benchmarking networks, one
/24 not already on any interface of this machine. Every name carries a short random suffix, so runs in
parallel do not collide: namespaces `db-SUFFIX`, `app-a-SUFFIX`, ...; links `bpSUFFIXbr` (the
bridge) and `bpSUFFIX0`, `bpSUFFIX1`, ... (the veths' outside ends).

Needs root (CAP_NET_ADMIN) and iproute2's `ip`.
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path

TEST_RANGE = ipaddress.ip_network("198.18.0.0/15")  # RFC 2544: used by nothing but benchmarks
LINK_PREFIX = "bp"
LOCK = Path("/tmp/backprop-netns.lock")  # picking a free /24 and claiming it, one run at a time
BRIDGE_HOST = 254  # the root namespace's own address on the test network: .254


class NetworkError(RuntimeError):
    """A namespace, link or address could not be made (the message says which command said what)."""


def ip(*arguments: str, check: bool = True) -> str:
    """Run `ip ARGUMENTS`; its output, or NetworkError with its message."""
    result = subprocess.run(["ip", *arguments], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise NetworkError(f"ip {' '.join(arguments)}: {result.stderr.strip()}")
    return result.stdout


def missing_prerequisites() -> list[str]:
    """Why namespaces cannot be made here (empty when they can)."""
    missing = []
    if shutil.which("ip") is None:
        missing.append("iproute2's `ip` command")
    if os.geteuid() != 0:
        missing.append("root (network namespaces need CAP_NET_ADMIN)")
    return missing


def subnets_in_use() -> set[ipaddress.IPv4Network]:
    """The /24s of the test range that some interface or route of the root namespace already has."""
    used = set()
    for text in (ip("-4", "-o", "addr", "show"), ip("-4", "route", "show")):
        for address in re.findall(r"\b(198\.1[89]\.\d+\.\d+)", text):
            used.add(ipaddress.ip_network(f"{address}/24", strict=False))
    return used


class Network:
    """A bridge and one namespace per host, addresses .1, .2, ... in host order; `create()` then `destroy()`."""

    def __init__(self, hosts: tuple[str, ...]) -> None:
        self.suffix = secrets.token_hex(3)
        self.hosts = tuple(hosts)
        self.subnet: ipaddress.IPv4Network | None = None
        self.bridge = f"{LINK_PREFIX}{self.suffix}br"
        self.created: list[str] = []  # namespaces made so far (destroy removes exactly these)
        self.seen: set[int] = set()  # every process ever found in a namespace, for leftovers()

    def namespace(self, host: str) -> str:
        return f"{host}-{self.suffix}"

    def address(self, host: str) -> str:
        """The host's address on the test network (`root` is the bridge's own)."""
        number = BRIDGE_HOST if host == "root" else self.hosts.index(host) + 1
        return str(self.subnet.network_address + number)

    def veth(self, host: str) -> str:
        """The outside end of the host's link (in the root namespace, on the bridge)."""
        return f"{LINK_PREFIX}{self.suffix}{self.hosts.index(host)}"

    def create(self) -> Network:
        """The bridge, the namespaces and their links; on any failure, whatever was made is removed."""
        try:
            with open(LOCK, "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                free = [net for net in TEST_RANGE.subnets(new_prefix=24) if net not in subnets_in_use()]
                if not free:
                    raise NetworkError("every /24 of 198.18.0.0/15 is in use on this machine")
                self.subnet = random.choice(free)
                ip("link", "add", self.bridge, "type", "bridge")
                ip("addr", "add", f"{self.address('root')}/24", "dev", self.bridge)
                ip("link", "set", self.bridge, "up")
            for host in self.hosts:
                self._add_host(host)
        except BaseException:
            self.destroy()
            raise
        return self

    def _add_host(self, host: str) -> None:
        namespace = self.namespace(host)
        ip("netns", "add", namespace)
        self.created.append(namespace)
        ip("link", "add", self.veth(host), "type", "veth", "peer", "name", "eth0", "netns", namespace)
        ip("link", "set", self.veth(host), "master", self.bridge, "up")
        ip("-n", namespace, "link", "set", "lo", "up")  # the host's own 127.0.0.1 (its replicas listen there)
        ip("-n", namespace, "addr", "add", f"{self.address(host)}/24", "dev", "eth0")
        ip("-n", namespace, "link", "set", "eth0", "up")

    def command(self, host: str, command: list[str]) -> list[str]:
        """`command` run inside the host's namespace."""
        return ["ip", "netns", "exec", self.namespace(host), *command]

    def pids(self, host: str) -> list[int]:
        """Every process living in the host's namespace."""
        pids = [int(pid) for pid in ip("netns", "pids", self.namespace(host), check=False).split()]
        self.seen.update(pids)
        return pids

    def kill(self, host: str, timeout: float = 10.0) -> None:
        """SIGKILL every process of the host (again for any started meanwhile) until none is left."""
        deadline = time.monotonic() + timeout
        while True:
            pids = self.pids(host)
            if not pids:
                return
            if time.monotonic() > deadline:
                raise NetworkError(f"processes of {host} still alive after SIGKILL: {pids}")
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)

    def link_down(self, host: str) -> None:
        """Unplug the host: both ends of its link down."""
        ip("-n", self.namespace(host), "link", "set", "eth0", "down", check=False)
        ip("link", "set", self.veth(host), "down", check=False)

    def link_up(self, host: str) -> None:
        """Plug the host back in: both ends of its link up (the kernel restores its /24 route)."""
        ip("link", "set", self.veth(host), "up")
        ip("-n", self.namespace(host), "link", "set", "eth0", "up")

    def destroy(self) -> None:
        """Kill every process in the namespaces, delete them (their veths go with them) and the bridge."""
        for namespace in list(self.created):
            host = namespace[: -len(self.suffix) - 1]
            try:
                self.kill(host)
            except NetworkError:
                pass  # deleting the namespace below still unplugs it; leftovers() reports it
            ip("netns", "del", namespace, check=False)
            self.created.remove(namespace)
        for host in self.hosts:  # a veth whose namespace was never made
            ip("link", "del", self.veth(host), check=False)
        ip("link", "del", self.bridge, check=False)

    def leftovers(self) -> list[str]:
        """Namespaces, links and processes of this network that still exist (empty after destroy()).

        A process is looked for among those seen in a namespace: once a namespace is deleted, a process
        still in it keeps it alive but unnamed, so only its pid finds it.
        """
        found = [f"namespace {name}" for name in ip("netns", "list", check=False).split()
                 if name.endswith(f"-{self.suffix}")]
        found += [f"link {name}" for name in re.findall(r"^\d+: ([^:@]+)", ip("-o", "link", "show"), re.M)
                  if name.startswith(f"{LINK_PREFIX}{self.suffix}")]
        return found + [f"process {pid}" for pid in sorted(self.seen) if alive(pid)]


def alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting for its parent."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return status != "Z"
