"""Where each process of the one-machine cluster listens (``make cluster``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Layout:
    """Ports of the one-machine cluster: nginx in front, two (or more) replicas of each process behind it."""

    base: Path  # var/cluster: data, logs and generated configuration
    replicas: int = 2
    gateway_port: int = 8080
    actions_gateway_port: int = 5150
    postgres_port: int = 5433
    redis_port: int = 6380
    app_first_port: int = 8101
    rasa_first_port: int = 5105
    actions_first_port: int = 5155

    def app_ports(self) -> list[int]:
        return [self.app_first_port + i for i in range(self.replicas)]

    def rasa_ports(self) -> list[int]:
        return [self.rasa_first_port + i for i in range(self.replicas)]

    def actions_ports(self) -> list[int]:
        return [self.actions_first_port + i for i in range(self.replicas)]

    @property
    def gateway_url(self) -> str:
        return f"http://{HOST}:{self.gateway_port}"

    @property
    def rasa_urls(self) -> list[str]:
        return [f"http://{HOST}:{port}" for port in self.rasa_ports()]

    @property
    def database_url(self) -> str:
        return f"postgresql://govbot@{HOST}:{self.postgres_port}/govbot"

    @property
    def redis_url(self) -> str:
        return f"redis://{HOST}:{self.redis_port}/0"

    @property
    def logs(self) -> Path:
        return self.base / "logs"
