"""Where each process of the one-machine cluster listens (``make cluster``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from govbot.settings import Settings

HOST = "127.0.0.1"
MAX_REPLICAS = 9


@dataclass(frozen=True)
class Layout:
    """nginx's gateway in front, and from ``port_base`` upwards: app, Rasa and action replicas, the action
    servers' load balancer, PostgreSQL and Redis."""

    base: Path  # data, logs and generated configuration
    gateway_port: int = 8080
    port_base: int = 18100
    replicas: int = 2

    @classmethod
    def from_settings(cls, settings: Settings) -> Layout:
        if not 1 <= settings.cluster_replicas <= MAX_REPLICAS:
            raise ValueError(f"GOVBOT_CLUSTER_REPLICAS must be between 1 and {MAX_REPLICAS}")
        return cls(
            settings.var_dir / "cluster", settings.cluster_port, settings.cluster_port_base, settings.cluster_replicas
        )

    def _ports(self, offset: int) -> list[int]:
        return [self.port_base + offset + i for i in range(1, self.replicas + 1)]

    def app_ports(self) -> list[int]:
        return self._ports(0)

    def rasa_ports(self) -> list[int]:
        return self._ports(10)

    def actions_ports(self) -> list[int]:
        return self._ports(20)

    @property
    def actions_gateway_port(self) -> int:
        return self.port_base + 30

    @property
    def postgres_port(self) -> int:
        return self.port_base + 31

    @property
    def redis_port(self) -> int:
        return self.port_base + 32

    def all_ports(self) -> list[int]:
        return [
            self.gateway_port,
            *self.app_ports(),
            *self.rasa_ports(),
            *self.actions_ports(),
            self.actions_gateway_port,
            self.postgres_port,
            self.redis_port,
        ]

    @property
    def gateway_url(self) -> str:
        return f"http://{HOST}:{self.gateway_port}"

    @property
    def rasa_urls(self) -> list[str]:
        return [f"http://{HOST}:{port}" for port in self.rasa_ports()]

    @property
    def actions_url(self) -> str:
        return f"http://{HOST}:{self.actions_gateway_port}/webhook"

    @property
    def database_url(self) -> str:
        return f"postgresql://govbot@{HOST}:{self.postgres_port}/govbot"

    @property
    def redis_url(self) -> str:
        return f"redis://{HOST}:{self.redis_port}/0"

    @property
    def logs(self) -> Path:
        return self.base / "logs"
