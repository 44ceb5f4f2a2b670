"""Which process holds a TCP port: read the kernel's socket tables (/proc/net/tcp*) and each process's fds."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
from pathlib import Path

_LISTEN = "0A"
PROC = Path("/proc")


def port_free(host: str, port: int) -> bool:
    """True when a server could listen on ``host:port`` now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for line in (PROC / "net" / table).read_text().splitlines()[1:]:
                fields = line.split()
                if len(fields) > 9 and fields[3] == _LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])
    return inodes


def _command(pid: int) -> str:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return "?"
    return " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)


def port_holder(port: int) -> tuple[int, str] | None:
    """The pid and command line of a process listening on ``port``, when this user may see it."""
    targets = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    if not targets:
        return None
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in os.scandir(entry / "fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(fd.path) in targets:
                        return int(entry.name), _command(int(entry.name))
    return None


def busy_port_message(host: str, port: int, setting: str) -> str | None:
    """A Chinese message naming who holds ``port``, or None when the port is free."""
    if port_free(host, port):
        return None
    holder = port_holder(port)
    if holder is None:
        return f"端口 {port} 已被占用（无法查看占用它的进程）。请先停止该进程，或设置 {setting} 换一个端口。"
    pid, command = holder
    if len(command) > 120:
        command = command[:117] + "…"
    return f"端口 {port} 已被进程 {pid}（{command}）占用。请先停止该进程，或设置 {setting} 换一个端口。"
