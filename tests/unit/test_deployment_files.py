"""The deployment files agree with the service (no container engine here to build them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def k8s(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "deploy" / "k8s" / name).read_text())
    return loaded


def test_the_dockerfile_installs_from_the_lock_and_runs_unprivileged_with_a_ready_check() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "uv sync --locked --no-dev" in text
    assert "USER 10001" in text
    healthcheck = next(line for line in text.splitlines() if "CMD" in line and "urlopen" in line)
    assert "/health/ready" in healthcheck
    assert 'ENTRYPOINT ["fintech"]' in text
    assert "FINTECH_ENV=production" in text


def test_the_deployment_probes_live_and_ready_and_drains_longer_than_uvicorn() -> None:
    spec = k8s("deployment.yaml")["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    args = container["args"]
    graceful = int(args[args.index("--graceful-timeout") + 1])
    pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    assert spec["terminationGracePeriodSeconds"] > graceful + pre_stop
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True


def test_the_service_targets_the_deployments_pods_and_the_job_migrates() -> None:
    deployment = k8s("deployment.yaml")
    service = k8s("service.yaml")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    job = k8s("migrate-job.yaml")
    assert job["kind"] == "Job"
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]


def test_compose_runs_postgresql_migrates_first_and_requires_its_secrets() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:")
    env = services["api"]["environment"]
    assert env["FINTECH_SQL_URL"].startswith("postgresql://")
    assert ":?" in env["FINTECH_SECRET_KEY"]  # compose refuses to start without it
    assert services["api"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["migrate"]["command"] == ["migrate"]
