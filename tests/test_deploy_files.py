"""The deployment files agree with the code: every command is a govbot subcommand, every GOVBOT_ variable is one
the code reads, the Rasa replicas the apps hash onto exist, each role runs at least two replicas with health
checks, and the proxies trust the forwarded client address (per-client rate limits). There is no container
runtime on the build machine, so this checks the files, not a running deployment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from govbot.cli import build_parser

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
CODE = [Path(__file__).resolve().parent.parent / name for name in ("govbot", "actions", "channels", "index")]
ROLES = {"serve": "app", "serve-actions": "actions", "serve-rasa": "rasa"}
THIRD_PARTY = {"FORWARDED_ALLOW_IPS"}  # uvicorn's own: which proxies may set X-Forwarded-For


def _variables_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for folder in CODE:
        for path in folder.rglob("*.py"):
            text = path.read_text("utf-8")
            names |= set(re.findall(r"\"(GOVBOT_[A-Z0-9_]+)\"", text))
            names |= {f"GOVBOT_{name}" for name in re.findall(r"_env(?:_int|_float|_bool)?\(\"([A-Z0-9_]+)\"", text)}
    return names


KNOWN = _variables_read_by_the_code()
SUBCOMMANDS = set(next(a for a in build_parser()._actions if a.dest == "command").choices)


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text("utf-8"))


def _manifests() -> list[dict]:
    documents = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        documents += [d for d in yaml.safe_load_all(path.read_text("utf-8")) if d]
    return documents


def test_the_code_reads_the_variables_we_check_against():
    assert {"GOVBOT_DATABASE_URL", "GOVBOT_RASA_URLS", "GOVBOT_QDRANT_URL", "GOVBOT_KNOWLEDGE_URL"} <= KNOWN
    assert {"serve", "serve-rasa", "serve-actions", "train"} <= SUBCOMMANDS


def test_compose_services_run_govbot_roles_with_health_checks_and_known_settings():
    services = _compose()["services"]
    roles: dict[str, list[str]] = {}
    for name, service in services.items():
        command = service.get("command") or []
        if command[:1] != ["govbot"]:
            continue
        assert command[1] in SUBCOMMANDS, name
        environment = service.get("environment", {})
        unknown = {key for key in environment if key not in KNOWN | THIRD_PARTY}
        assert not unknown, f"{name}: {unknown}"
        if command[1] in ROLES:
            roles.setdefault(ROLES[command[1]], []).append(name)
            assert "healthcheck" in service, name
    assert all(len(roles.get(role, [])) >= 2 for role in ROLES.values()), roles
    environment = services[roles["app"][0]]["environment"]
    hashed_onto = [re.match(r"http://([^:/]+)", url).group(1) for url in environment["GOVBOT_RASA_URLS"].split(",")]
    assert sorted(hashed_onto) == sorted(roles["rasa"])
    assert environment["FORWARDED_ALLOW_IPS"], "behind nginx the apps must read the citizen's address"
    nginx = (DEPLOY / "nginx" / "compose.conf").read_text("utf-8")
    assert all(f"server {name}:" in nginx for name in roles["app"] + roles["actions"])


def test_compose_example_environment_names_only_known_settings():
    example = (DEPLOY / "env.example").read_text("utf-8")
    names = {line.split("=", 1)[0].strip() for line in example.splitlines() if "=" in line and line[0] != "#"}
    govbot = {name for name in names if name.startswith("GOVBOT_")}
    assert govbot and not govbot - KNOWN


@pytest.mark.parametrize("role", sorted(ROLES))
def test_k8s_runs_each_role_twice_with_probes_and_known_settings(role):
    documents = _manifests()
    workloads = [d for d in documents if d["kind"] in ("Deployment", "StatefulSet")]
    chosen = [
        (w, c)
        for w in workloads
        for c in w["spec"]["template"]["spec"]["containers"]
        if c.get("command", [])[:2] == ["govbot", role]
    ]
    assert len(chosen) == 1, role
    workload, container = chosen[0]
    assert workload["spec"]["replicas"] >= 2
    assert container["readinessProbe"] and container["livenessProbe"]
    assert {e["name"] for e in container.get("env", [])} <= KNOWN | THIRD_PARTY
    config = next(d for d in documents if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "govbot-config")
    assert set(config["data"]) <= KNOWN | THIRD_PARTY
    assert config["data"]["FORWARDED_ALLOW_IPS"]


def test_k8s_rasa_urls_name_the_statefulset_pods():
    documents = _manifests()
    config = next(d for d in documents if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "govbot-config")
    rasa = next(
        d
        for d in documents
        if d["kind"] == "StatefulSet" and d["spec"]["template"]["spec"]["containers"][0]["command"][1] == "serve-rasa"
    )
    service = rasa["spec"]["serviceName"]
    expected = [f"http://{rasa['metadata']['name']}-{i}.{service}:5005" for i in range(rasa["spec"]["replicas"])]
    assert config["data"]["GOVBOT_RASA_URLS"].split(",") == expected


def test_the_image_runs_the_code_from_its_source_tree():
    """The code reads files beside it (knowledge/, bot/data/nlu, channels/web, *.tsv next to modules) that
    `pip install .` does not copy: the working directory, where the whole tree is copied, comes first on the path."""
    dockerfile = (DEPLOY / "Dockerfile").read_text("utf-8")
    workdir = re.findall(r"^WORKDIR (\S+)", dockerfile, re.MULTILINE)[-1]
    assert re.search(r"^COPY \. \.$", dockerfile, re.MULTILINE)
    paths = re.findall(r"PYTHONPATH=(\S+)", dockerfile)
    assert paths and paths[-1].split(":")[0] == workdir
