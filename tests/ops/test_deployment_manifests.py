"""The container, Compose and Kubernetes files: rendered and checked against their schemas.

The Kubernetes overlay is rendered with `kubectl kustomize` and every object is validated
against the bundled Kubernetes schemas (strict: an unknown field fails). Compose goes through
`docker compose config` (or the older `docker-compose config`), which validates it against the
Compose schema without a daemon.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from django.conf import settings

from tests.processes import ROOT

K8S = ROOT / "ops" / "k8s"
KUBERNETES_VERSION = "1.37.0"
ENTRY_COMMANDS = {"web", "worker", "beat", "relay", "migrate"}


def _kustomize(path: Path) -> list[dict[str, Any]]:
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl (with its built-in kustomize) is not installed")
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(path)], check=True, capture_output=True, text=True
    ).stdout
    return [doc for doc in yaml.safe_load_all(rendered) if doc]


@pytest.fixture(scope="module")
def overlay() -> list[dict[str, Any]]:
    return _kustomize(K8S / "overlays" / "example")


def _find(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    for obj in objects:
        if obj["kind"] == kind and obj["metadata"]["name"] == name:
            return obj
    raise AssertionError(f"no {kind} {name}")


def _containers(objects: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for obj in objects:
        if obj["kind"] in {"Deployment", "Job"}:
            for container in obj["spec"]["template"]["spec"]["containers"]:
                yield obj["metadata"]["name"], container


@pytest.mark.parametrize("folder", ["base", "overlays/example"])
def test_every_rendered_object_passes_the_kubernetes_schema(folder: str) -> None:
    objects = _kustomize(K8S / folder)

    problems = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            problems.append(f"{obj['kind']}/{obj['metadata']['name']}: {error.message}")

    assert not problems, problems
    assert len(objects) >= 14


def test_a_misspelled_field_fails_the_schema_check(overlay: list[dict[str, Any]]) -> None:
    web = _find(overlay, "Deployment", "casework-web")
    web["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}

    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(web, KUBERNETES_VERSION, strict=True)


def test_secrets_are_referenced_never_embedded(overlay: list[dict[str, Any]]) -> None:
    assert not [obj for obj in overlay if obj["kind"] == "Secret"]
    config = _find(overlay, "ConfigMap", "casework-config")["data"]
    assert not {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "METRICS_TOKEN"} & set(config)
    for name, container in _containers(overlay):
        secret_refs = [
            ref["secretRef"]["name"] for ref in container["envFrom"] if "secretRef" in ref
        ]
        assert secret_refs == ["casework-secrets"], name


def test_each_process_runs_from_the_one_image_with_its_entry_command(
    overlay: list[dict[str, Any]],
) -> None:
    commands = {}
    for name, container in _containers(overlay):
        assert container["image"] == "registry.example.org/casework:1.0.0", name
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        commands[name] = container["args"][0]

    assert set(commands.values()) == ENTRY_COMMANDS
    entrypoint = (ROOT / "ops" / "container" / "entrypoint.sh").read_text()
    for command in ENTRY_COMMANDS:
        assert f"\n    {command})\n" in entrypoint


def test_web_is_probed_scaled_and_protected_from_disruption(
    overlay: list[dict[str, Any]],
) -> None:
    web = _find(overlay, "Deployment", "casework-web")["spec"]["template"]["spec"]
    container = web["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["resources"]["requests"]["cpu"]
    hpa = _find(overlay, "HorizontalPodAutoscaler", "casework-web")["spec"]
    assert hpa["scaleTargetRef"]["name"] == "casework-web"
    assert hpa["minReplicas"] == 3
    pdb = _find(overlay, "PodDisruptionBudget", "casework-web")["spec"]
    assert pdb["selector"]["matchLabels"]["app.kubernetes.io/component"] == "web"


def test_beat_runs_exactly_once(overlay: list[dict[str, Any]]) -> None:
    beat = _find(overlay, "Deployment", "casework-beat")["spec"]

    assert beat["replicas"] == 1
    assert beat["strategy"]["type"] == "Recreate"  # never two during a rollout


def test_the_ingress_body_limit_is_the_apps(overlay: list[dict[str, Any]]) -> None:
    ingress = _find(overlay, "Ingress", "casework")
    limit = ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]
    config = _find(overlay, "ConfigMap", "casework-config")["data"]

    app_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert int(limit) == int(config["MAX_REQUEST_BODY_BYTES"]) == app_limit
    routed = {path["path"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]}
    assert "/metrics" not in routed


def test_datastores_admit_only_casework_pods(overlay: list[dict[str, Any]]) -> None:
    client_label = {"casework.org/database-client": "true"}
    for name in ("casework-db-from-app", "casework-redis-from-app"):
        policy = _find(overlay, "NetworkPolicy", name)["spec"]
        assert policy["ingress"][0]["from"] == [{"podSelector": {"matchLabels": client_label}}]
    for obj in overlay:
        if obj["kind"] in {"Deployment", "Job"}:
            labels = obj["spec"]["template"]["metadata"]["labels"]
            assert labels["casework.org/database-client"] == "true"


def _compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    plugin = docker and subprocess.run([docker, "compose", "version"], capture_output=True)
    if docker and plugin and plugin.returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_the_compose_file_passes_compose_config(tmp_path: Path) -> None:
    command = _compose_command()
    if command is None:
        pytest.skip("no Compose client (docker compose or docker-compose) is installed")
    ops = tmp_path / "ops"
    ops.mkdir()
    shutil.copy(ROOT / "ops" / "compose.yaml", ops / "compose.yaml")
    shutil.copy(ROOT / "ops" / "env.example", ops / ".env")

    result = subprocess.run(
        [*command, "--project-directory", str(ops), "-f", str(ops / "compose.yaml"), "config"],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert {name: services[name]["command"][0] for name in ENTRY_COMMANDS} == {
        name: name for name in ENTRY_COMMANDS
    }
    assert services["web"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert "ports" not in services["postgres"]
    assert "ports" not in services["redis"]


def test_the_image_runs_as_a_user_without_compilers_and_checks_its_health() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", dockerfile, flags=re.MULTILINE)[1:]
    final = stages[-1]

    assert len(stages) == 2
    assert all(stage.startswith("python:3.11-slim") for stage in stages)
    assert "build-essential" not in final
    assert "gcc" not in final
    assert re.search(r"^USER casework", final, flags=re.MULTILINE)
    assert "HEALTHCHECK" in final
    assert "/healthz" in final
    assert "-c constraints.txt" in stages[0]
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".data", ".git", ".env"} <= set(ignored)


def test_the_entrypoint_is_valid_shell_and_refuses_unknown_commands() -> None:
    entrypoint = ROOT / "ops" / "container" / "entrypoint.sh"
    subprocess.run(["sh", "-n", str(entrypoint)], check=True)

    result = subprocess.run([str(entrypoint), "serve"], capture_output=True, text=True)

    assert result.returncode == 64
    assert "web, worker, beat, relay, migrate" in result.stderr
