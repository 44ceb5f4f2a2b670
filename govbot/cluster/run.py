"""``govbot cluster``: the cluster profile on one machine.

PostgreSQL and Redis (Debian packages) keep their data under ``var/cluster``; nginx serves the gateway on
127.0.0.1:8080; behind it run two replicas each of the app, the action server and Rasa. The replicas share
PostgreSQL (app database, tracker store, knowledge documents) and Redis (Rasa's lock store); each app keeps its
own retrieval index and follows the shared knowledge base. Ctrl-C stops everything.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from govbot.cluster import nginx_conf
from govbot.cluster.layout import HOST, Layout
from govbot.privacy.protector import load_or_create_key
from govbot.rasa_endpoints import endpoint_env
from govbot.security.secrets import ensure_all, gateway_secret, internal_token, rasa_token, session_secret
from govbot.settings import Settings
from govbot.supervisor import Service, Supervisor, service_env


def shared_env(settings: Settings, layout: Layout) -> dict[str, str]:
    """What every replica must agree on: secrets, the shared stores, and where the others are."""
    ensure_all(settings)
    return {
        "GOVBOT_SESSION_SECRET": session_secret(settings),
        "GOVBOT_INTERNAL_TOKEN": internal_token(settings),
        "GOVBOT_RASA_TOKEN": rasa_token(settings),
        "GOVBOT_GATEWAY_SECRET": gateway_secret(settings),
        "GOVBOT_DATA_KEY": settings.data_key or load_or_create_key(settings.data_key_file).decode(),
        "GOVBOT_ADMIN_TOKENS_FILE": str(settings.admin_tokens_file),
        "GOVBOT_DATABASE_URL": layout.database_url,
        "GOVBOT_REDIS_URL": layout.redis_url,
        "GOVBOT_KB_STORE": "database",
        "GOVBOT_RASA_URLS": ",".join(layout.rasa_urls),
        "GOVBOT_KNOWLEDGE_URL": layout.gateway_url,
    }


def replica_services(settings: Settings, layout: Layout, rasa_model: Path) -> list[Service]:
    """App, action server and Rasa replicas, each with its own ports and var folder."""
    bin_dir = Path(sys.executable).parent
    services: list[Service] = []
    for i, (app, rasa, actions) in enumerate(zip(layout.app_ports(), layout.rasa_ports(), layout.actions_ports())):
        var = layout.base / f"replica-{i + 1}"
        own = replace(settings, var_dir=var, app_port=app, rasa_port=rasa, actions_port=actions)
        env = {
            "GOVBOT_VAR_DIR": str(var),
            "GOVBOT_APP_PORT": str(app),
            "GOVBOT_RASA_PORT": str(rasa),
            "GOVBOT_ACTIONS_PORT": str(actions),
        }
        # Rasa calls the action servers through nginx's loopback listener, which skips one that is down.
        rasa_env = {**env, **endpoint_env(own), "GOVBOT_ACTIONS_PORT": str(layout.actions_gateway_port)}
        services += [
            Service(f"app-{i + 1}", [str(bin_dir / "govbot"), "serve"], f"http://{HOST}:{app}/health", env),
            Service(
                f"actions-{i + 1}",
                [str(bin_dir / "rasa"), "run", "actions", "--actions", "actions", "--port", str(actions)],
                f"http://{HOST}:{actions}/health",
                {**env, "SANIC_HOST": HOST},
            ),
            Service(
                f"rasa-{i + 1}",
                [str(bin_dir / "rasa"), "run", "--enable-api", f"--auth-token={rasa_token(settings)}"]
                + ["--model", str(rasa_model), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]
                + ["--port", str(rasa), "--interface", HOST],
                f"http://{HOST}:{rasa}/",
                rasa_env,
            ),
        ]
    return services


def nginx_service(layout: Layout) -> Service:
    """nginx in the foreground with the generated configuration."""
    conf = layout.base / "nginx.conf"
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (layout.base / "nginx" / folder).mkdir(parents=True, exist_ok=True)
    layout.logs.mkdir(parents=True, exist_ok=True)
    conf.write_text(nginx_conf.render(layout), "utf-8")
    return Service("nginx", ["nginx", "-c", str(conf), "-p", str(layout.base / "nginx")], f"{layout.gateway_url}/health")


def cluster_supervisor(settings: Settings, layout: Layout, rasa_model: Path) -> Supervisor:
    """The supervisor for the replicas and nginx (PostgreSQL and Redis are started before, see servers)."""
    env = {**service_env(settings), **shared_env(settings, layout)}
    services = replica_services(settings, layout, rasa_model) + [nginx_service(layout)]
    return Supervisor(services, env, layout.logs)
