"""``govbot cluster``: the cluster profile on one machine.

PostgreSQL and Redis (Debian packages) keep their data under ``var/cluster``; nginx serves the gateway on
127.0.0.1:8080; behind it run two replicas each of the app, the action server and Rasa. The replicas share
PostgreSQL (app database, tracker store, knowledge documents) and Redis (Rasa's lock store, rate-limit counters);
each app serves retrieval from Qdrant in local mode in its own memory (a Qdrant server when ``GOVBOT_QDRANT_URL``
is set) and follows the shared knowledge base. Ctrl-C stops everything.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import replace
from pathlib import Path

from govbot.admin.kb_store import DatabaseKnowledgeStore
from govbot.cluster import nginx_conf
from govbot.cluster.layout import HOST, Layout
from govbot.cluster.servers import start_postgres, start_redis
from govbot.ports import busy_port_message
from govbot.privacy.protector import load_or_create_key
from govbot.rasa_endpoints import endpoint_env
from govbot.security.secrets import ensure_all, gateway_secret, internal_token, rasa_token, session_secret
from govbot.settings import Settings
from govbot.supervisor import Service, Supervisor, actions_command, rasa_command, service_env
from index.qdrant_backend import IN_MEMORY
from knowledge.loader import document_files


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
        "GOVBOT_RETRIEVAL_BACKEND": "qdrant",
        # Local mode in each app's memory: re-publishing a version after an edit takes 0.6 s instead of 2.6 s on
        # disk, and a replica's first build takes over its embedded snapshot's vectors at each start.
        "GOVBOT_QDRANT_URL": settings.qdrant_url or IN_MEMORY,
        "GOVBOT_RASA_URLS": ",".join(layout.rasa_urls),
        "GOVBOT_KNOWLEDGE_URL": layout.gateway_url,
    }


def replica_services(settings: Settings, layout: Layout, rasa_model: Path) -> list[Service]:
    """App, action server and Rasa replicas, each with its own ports and var folder."""
    bin_dir = Path(sys.executable).parent
    services: list[Service] = []
    for i, (app, rasa, actions) in enumerate(
        zip(layout.app_ports(), layout.rasa_ports(), layout.actions_ports(), strict=True)
    ):
        var = layout.base / f"replica-{i + 1}"
        own = replace(
            settings,
            var_dir=var,
            database_url=layout.database_url,
            redis_url=layout.redis_url,
            actions_url_setting=layout.actions_url,
        )
        env = {
            "GOVBOT_VAR_DIR": str(var),
            "GOVBOT_APP_PORT": str(app),
            "GOVBOT_RASA_PORT": str(rasa),
            "GOVBOT_ACTIONS_PORT": str(actions),
        }
        # Rasa calls the action servers through nginx's loopback listener, which skips one that is down.
        rasa_env = {**env, **endpoint_env(own)}
        actions_env = {**env, "SANIC_HOST": HOST}
        services += [
            Service(f"app-{i + 1}", [str(bin_dir / "govbot"), "serve"], f"http://{HOST}:{app}/health", env),
            Service(f"actions-{i + 1}", actions_command(actions), f"http://{HOST}:{actions}/health", actions_env),
            Service(f"rasa-{i + 1}", rasa_command(settings, rasa_model, rasa), f"http://{HOST}:{rasa}/", rasa_env),
        ]
    return services


def nginx_service(layout: Layout) -> Service:
    """nginx in the foreground with the generated configuration."""
    conf = nginx_conf.write(layout)
    return Service(
        "nginx", ["nginx", "-c", str(conf), "-p", str(layout.base / "nginx")], f"{layout.gateway_url}/health"
    )


def cluster_supervisor(settings: Settings, layout: Layout, rasa_model: Path) -> Supervisor:
    """The supervisor for the replicas and nginx (PostgreSQL and Redis are started before, see servers)."""
    env = {**service_env(settings), **shared_env(settings, layout)}
    services = replica_services(settings, layout, rasa_model) + [nginx_service(layout)]
    return Supervisor(services, env, layout.logs)


def seed_knowledge(settings: Settings, layout: Layout) -> int:
    """Put the sample (or configured) documents into an empty shared store; returns how many were added."""
    store = DatabaseKnowledgeStore(layout.database_url, layout.base / "seed-mirror")
    if store.ids():
        return 0
    documents = {path.stem: path.read_text("utf-8") for path in document_files(settings.kb_dir)}
    return len(store.put_many(documents, "cluster-seed"))


def seed_indexes(settings: Settings, layout: Layout) -> None:
    """Start each replica from the single-machine index (when there is one): its first Qdrant build takes over
    its vectors and calibration and only embeds what differs, instead of the whole knowledge base."""
    for i in range(1, layout.replicas + 1):
        target = layout.base / f"replica-{i}" / "index"
        if settings.index_dir.is_dir() and not target.exists():
            shutil.copytree(settings.index_dir, target, ignore=shutil.ignore_patterns("*.lock", "qdrant"))


def busy_ports(layout: Layout) -> list[str]:
    checks = [(port, "GOVBOT_CLUSTER_PORT") for port in layout.all_ports()[:1]]
    checks += [(port, "GOVBOT_CLUSTER_PORT_BASE") for port in layout.all_ports()[1:]]
    return [m for m in (busy_port_message(HOST, port, setting) for port, setting in checks) if m]


def run_cluster(settings: Settings) -> int:
    """Start PostgreSQL and Redis, seed the shared knowledge base, then supervise the replicas and nginx."""
    from govbot.rasa_model import ensure_rasa_model

    layout = Layout.from_settings(settings)
    busy = busy_ports(layout)
    if busy:
        print("\n".join(busy), file=sys.stderr)
        return 1
    if shutil.which("nginx") is None:
        print("nginx is not installed: run scripts/install-system-deps.sh as root", file=sys.stderr)
        return 1
    model = ensure_rasa_model(settings)
    postgres = start_postgres(layout.base / "postgres", layout.postgres_port)
    try:
        redis = start_redis(layout.base / "redis", layout.redis_port)
        try:
            postgres.create_database("govbot", exist_ok=True)
            added = seed_knowledge(settings, layout)
            if added:
                print(f"knowledge base: {added} documents imported into PostgreSQL", flush=True)
            seed_indexes(settings, layout)
            return cluster_supervisor(settings, layout, model).run()
        finally:
            redis.stop()
    finally:
        postgres.stop()
