"""The chaos suite's TCP forwarder, which tests also use to cut a dependency away."""

from patronage.chaos.tcp_proxy import TcpProxy, free_port

__all__ = ["TcpProxy", "free_port"]
