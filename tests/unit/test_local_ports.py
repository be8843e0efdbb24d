"""Listening ports of the local servers come from outside the OS's ephemeral range.

A broker restarted on an ephemeral port could find it taken by a client's reconnect loop
that had connected to itself on that very port (source port == destination port), and
the broker could not restart. `free_port` used to ask the OS (bind to port 0), which
always answers with a port inside the ephemeral range.
"""

from __future__ import annotations

import socket
from pathlib import Path

from patronage.local import LOWEST_LISTEN_PORT, ephemeral_ports, free_port


def outside(port: int, ephemeral: tuple[int, int]) -> bool:
    return not ephemeral[0] <= port <= ephemeral[1]


def test_ports_are_outside_this_machines_ephemeral_range():
    ephemeral = ephemeral_ports()
    ports = [free_port() for _ in range(300)]
    assert all(outside(port, ephemeral) for port in ports), ephemeral
    assert all(port >= LOWEST_LISTEN_PORT for port in ports)


def test_the_range_is_read_from_the_kernel_setting(tmp_path: Path):
    setting = tmp_path / "ip_local_port_range"
    setting.write_text("20000\t50000\n")
    assert ephemeral_ports(setting) == (20000, 50000)
    ports = [free_port(setting) for _ in range(300)]
    assert all(outside(port, (20000, 50000)) for port in ports)
    assert any(port < 20000 for port in ports) and any(port > 50000 for port in ports)


def test_a_port_already_listened_on_is_not_handed_out(tmp_path: Path):
    setting = tmp_path / "ip_local_port_range"
    setting.write_text("10001 65535")  # leaves exactly one port: 10000
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 10000))
        port = free_port(setting, attempts=20)
    assert port != 10000  # fell back to a port the OS picked, which was free


def test_an_unreadable_setting_means_linuxs_default_range(tmp_path: Path):
    assert ephemeral_ports(tmp_path / "missing") == (32768, 60999)
