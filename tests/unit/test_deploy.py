"""The deployment files (deploy/, issue 16) as a hosting team gets them: the two Dockerfiles,
compose for one machine, and the Kubernetes base and production overlay as `kubectl kustomize`
renders them.

Each rule is a function that lists what breaks it, run on the real files (nothing listed) and
on a copy broken on purpose (the break listed), so no rule passes because it cannot fail.
`kubectl` renders offline; without it the Kubernetes tests are skipped, saying so, unless
KELISIM_REQUIRE_KUBECTL=1 (then they fail). Nothing here builds an image or needs a daemon.
"""

from __future__ import annotations

import copy
import functools
import itertools
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from bot import model
from bot.config import ROOT
from bot.stack import ATOMIC_REDIS_LOCKS, COMPACT_REDIS_STORE, ticket_lock_lifetime

DEPLOY = ROOT / "deploy"
APP_DOCKERFILE = DEPLOY / "app.Dockerfile"
RASA_DOCKERFILE = DEPLOY / "rasa.Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
ENDPOINTS = DEPLOY / "rasa" / "endpoints.yml"
ENDPOINTS_TLS = DEPLOY / "rasa" / "endpoints-tls.yml"
RUN_RASA = DEPLOY / "rasa" / "run.sh"
SECRET_EXAMPLE = DEPLOY / "k8s" / "base" / "secret.example.yaml"
KUSTOMIZATIONS = {
    "base": DEPLOY / "k8s" / "base",
    "production": DEPLOY / "k8s" / "overlays" / "production",
}

Doc = dict[str, Any]
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
# An environment variable holding one of these is a secret, whatever its value looks like.
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY")
# user:password@ in a URL (redis://:pw@host, postgresql://user:pw@host).
URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/@:\s]*:([^/@\s]+)@")
# A compose reference to deploy/.env: ${VAR}, ${VAR:?message}, ${VAR?message}.
COMPOSE_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?\?[^}]*)?\}")
# Measured memory per process (docs/deployment.md); every limit leaves half as much again.
MEASURED_MB = {"rasa": 365, "worker": 110, "actions": 92}
# Rasa may hold these of the Secret, the action server none (bot/model.py, BOT_ONLY).
RASA_SECRETS = {"RASA_API_TOKEN", "REDIS_PASSWORD"}


# ---- Kubernetes -----------------------------------------------------------------------------


@functools.cache
def _rendered(which: str) -> str:
    result = subprocess.run(
        ["kubectl", "kustomize", str(KUSTOMIZATIONS[which])],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(params=sorted(KUSTOMIZATIONS))
def rendered(request: pytest.FixtureRequest) -> list[Doc]:
    """Every object of the base, then of the production overlay, as kubectl renders it."""
    if shutil.which("kubectl") is None:
        if os.environ.get("KELISIM_REQUIRE_KUBECTL") == "1":
            pytest.fail("kubectl is not on PATH and KELISIM_REQUIRE_KUBECTL=1")
        pytest.skip("kubectl is not on PATH: the manifests cannot be rendered here")
    return [d for d in yaml.safe_load_all(_rendered(str(request.param))) if d]


def production(rendered: list[Doc]) -> bool:
    return any(d["kind"] == "Namespace" for d in rendered)


def of_kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d["kind"] == kind]


def named(docs: list[Doc], kind: str, name: str) -> Doc:
    found = [d for d in of_kind(docs, kind) if d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def pod_spec(workload: Doc) -> Doc:
    spec: Doc = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    template: Doc = spec["template"]["spec"]
    return template


def containers(workload: Doc) -> Iterator[tuple[Doc, bool]]:
    """Each container, and whether it is an init container."""
    spec = pod_spec(workload)
    for container in spec.get("initContainers", []):
        yield container, True
    for container in spec.get("containers", []):
        yield container, False


def config_map(docs: list[Doc]) -> dict[str, str]:
    """The settings every process gets (kelisim-config, whatever suffix kustomize gave it)."""
    maps = [d for d in of_kind(docs, "ConfigMap") if d["metadata"]["name"].startswith("kelisim")]
    assert len(maps) == 1, [m["metadata"]["name"] for m in maps]
    data: dict[str, str] = maps[0].get("data", {})
    return data


def image_problem(image: str) -> str | None:
    """Why an image reference is not pinned to one build, or None."""
    if "@sha256:" in image:
        return None
    name, _, tag = image.rpartition(":")
    if not name or "/" in tag:
        return f"{image}: no tag"
    if tag == "latest" or not re.search(r"\d", tag):
        return f"{image}: tag {tag!r} names no version"
    return None


def _where(workload: Doc, container: Doc) -> str:
    return f"{workload['kind']}/{workload['metadata']['name']} {container['name']}"


def _security_problems(security: Doc, pod_security: Doc) -> list[str]:
    problems = []
    if security.get("runAsNonRoot", pod_security.get("runAsNonRoot")) is not True:
        problems.append("runAsNonRoot is not true")
    user = security.get("runAsUser", pod_security.get("runAsUser"))
    if not isinstance(user, int) or user <= 0:
        problems.append(f"runAsUser {user!r} is not a non-zero number")
    if security.get("allowPrivilegeEscalation") is not False:
        problems.append("allowPrivilegeEscalation is not false")
    if "ALL" not in security.get("capabilities", {}).get("drop", []):
        problems.append("capabilities do not drop ALL")
    if security.get("readOnlyRootFilesystem") is not True:
        problems.append("the root filesystem is writable")
    return problems


def container_problems(workload: Doc) -> list[str]:
    """Probes, resources, a non-root user and no privileges, a pinned image, every container."""
    problems = []
    pod_security = pod_spec(workload).get("securityContext", {})
    for container, init in containers(workload):
        found = []
        if workload["kind"] not in ("Job", "CronJob") and not init:
            found += [f"no {p}" for p in ("readinessProbe", "livenessProbe") if p not in container]
        resources = container.get("resources", {})
        found += [
            f"no {bound}.{resource}"
            for bound in ("requests", "limits")
            for resource in ("cpu", "memory")
            if resource not in resources.get(bound, {})
        ]
        found += _security_problems(container.get("securityContext", {}), pod_security)
        if problem := image_problem(container.get("image", "")):
            found.append(problem)
        problems += [f"{_where(workload, container)}: {f}" for f in found]
    return problems


def _secret_looking(name: str, value: str) -> bool:
    return bool(SECRET_NAME.search(name) or URL_PASSWORD.search(value))


def secret_problems(docs: list[Doc]) -> list[str]:
    """No secret in plain text: not in a container's env, not in a ConfigMap, no Secret."""
    problems = [
        f"Secret/{d['metadata']['name']} is in the manifests" for d in of_kind(docs, "Secret")
    ]
    for name, value in config_map(docs).items():
        if _secret_looking(name, str(value)):
            problems.append(f"ConfigMap: {name} looks like a secret")
    for workload in (d for d in docs if d["kind"] in WORKLOADS):
        for container, _ in containers(workload):
            for env in container.get("env", []):
                source = env.get("valueFrom", {})
                if _secret_looking(env["name"], str(env.get("value", ""))) and (
                    "value" in env or "secretKeyRef" not in source
                ):
                    problems.append(
                        f"{_where(workload, container)}: {env['name']} not from a Secret"
                    )
    return problems


def secret_keys(container: Doc) -> set[str]:
    """The keys of kelisim-secrets a container is given."""
    keys = set()
    for env in container.get("env", []):
        ref = env.get("valueFrom", {}).get("secretKeyRef")
        if ref:
            keys.add(str(ref["key"]))
    if any("secretRef" in source for source in container.get("envFrom", [])):
        keys.add("*")
    return keys


def least_privilege_problems(docs: list[Doc]) -> list[str]:
    """Rasa gets its two secrets alone, the action server none; every key is documented."""
    documented = set(yaml.safe_load(SECRET_EXAMPLE.read_text(encoding="utf-8"))["stringData"])
    problems = []
    for workload in (d for d in docs if d["kind"] in WORKLOADS):
        for container, _ in containers(workload):
            keys = secret_keys(container)
            where = _where(workload, container)
            if container["name"] == "rasa" and not keys <= RASA_SECRETS:
                problems.append(f"{where}: given {sorted(keys - RASA_SECRETS)}")
            if container["name"] == "actions" and keys:
                problems.append(f"{where}: given {sorted(keys)}")
            if undocumented := keys - documented - {"*"}:
                problems.append(f"{where}: {sorted(undocumented)} not in secret.example.yaml")
    return problems


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _template_labels(deployment: Doc) -> dict[str, str]:
    labels: dict[str, str] = deployment["spec"]["template"]["metadata"]["labels"]
    return labels


def target_problems(docs: list[Doc]) -> list[str]:
    """Each HPA scales a Deployment there is; each PDB covers some Deployment's pods."""
    problems = []
    deployments = {d["metadata"]["name"]: d for d in of_kind(docs, "Deployment")}
    for hpa in of_kind(docs, "HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]
        if target["kind"] != "Deployment" or target["name"] not in deployments:
            problems.append(f"HPA/{hpa['metadata']['name']}: no {target['kind']}/{target['name']}")
    for pdb in of_kind(docs, "PodDisruptionBudget"):
        selector = pdb["spec"]["selector"]["matchLabels"]
        if not any(_selects(selector, _template_labels(d)) for d in deployments.values()):
            problems.append(f"PDB/{pdb['metadata']['name']}: selects no Deployment's pods")
    return problems


def service_ports(docs: list[Doc]) -> tuple[dict[str, set[Any]], list[str]]:
    """Each Service's ports (numbers and names), and what is wrong with the Services."""
    problems = []
    services: dict[str, set[Any]] = {}
    for service in of_kind(docs, "Service"):
        name = service["metadata"]["name"]
        selected = [
            d
            for d in of_kind(docs, "Deployment")
            if _selects(service["spec"]["selector"], _template_labels(d))
        ]
        if not selected:
            problems.append(f"Service/{name}: selects no Deployment's pods")
        exposed = [p for d in selected for c, _ in containers(d) for p in c.get("ports", [])]
        ports = {p.get("name") for p in exposed} | {p["containerPort"] for p in exposed}
        for port in service["spec"]["ports"]:
            if port["targetPort"] not in ports:
                problems.append(f"Service/{name}: no container port {port['targetPort']}")
        services[name] = {p["port"] for p in service["spec"]["ports"]}
        services[name] |= {p.get("name") for p in service["spec"]["ports"]}
    return services, problems


def ingress_problems(docs: list[Doc], services: dict[str, set[Any]]) -> list[str]:
    """The Ingress routes WEBHOOK_URL's host and path, and nothing else, to the receivers."""
    problems = []
    webhook = urlsplit(config_map(docs)["WEBHOOK_URL"])
    rules = [rule for ingress in of_kind(docs, "Ingress") for rule in ingress["spec"]["rules"]]
    for rule in rules:
        if rule.get("host") != webhook.hostname:
            problems.append(f"Ingress host {rule.get('host')}: WEBHOOK_URL's is {webhook.hostname}")
        for path in rule["http"]["paths"]:
            if path["path"] != webhook.path:
                problems.append(f"Ingress path {path['path']}: WEBHOOK_URL's is {webhook.path}")
            backend = path["backend"]["service"]
            port = backend["port"].get("name", backend["port"].get("number"))
            if port not in services.get(backend["name"], set()):
                problems.append(f"Ingress backend {backend['name']}:{port}: no such Service")
    return problems


def wiring_problems(docs: list[Doc]) -> list[str]:
    """HPAs, PDBs, Services, the Ingress and the configured URLs point at what exists."""
    services, problems = service_ports(docs)
    problems += target_problems(docs) + ingress_problems(docs, services)
    settings = config_map(docs)
    for key in ("RASA_URL", "ACTION_ENDPOINT_URL"):
        url = urlsplit(settings[key])
        if url.port not in services.get(str(url.hostname), set()):
            problems.append(f"ConfigMap {key}={settings[key]}: no such Service and port")
    lifetime = ticket_lock_lifetime({"RASA_TIMEOUT": settings["RASA_TIMEOUT"]})
    if settings["TICKET_LOCK_LIFETIME"] != lifetime:
        problems.append(f"TICKET_LOCK_LIFETIME should be {lifetime} for RASA_TIMEOUT")
    return problems


def endpoint_variables(path: Path = ENDPOINTS) -> set[str]:
    """The variables Rasa expands in its endpoints file (it refuses to start on an unset one)."""
    values = _strings(yaml.safe_load(path.read_text(encoding="utf-8")))
    return {name for value in values for name in re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", value)}


def dockerfile_env(path: Path) -> dict[str, str]:
    """The ENV a Dockerfile's final stage sets."""
    env: dict[str, str] = {}
    for instruction, args in final_stage(instructions(path)):
        if instruction == "ENV":
            env.update(dict(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\S*)", args)))
    return env


def run_rasa_defaults() -> set[str]:
    """What deploy/rasa/run.sh defaults itself (export VAR="${VAR:-...}")."""
    text = RUN_RASA.read_text(encoding="utf-8")
    return set(re.findall(r"export ([A-Z_]+)=\"\$\{\1:-", text))


def rasa_environment_problems(docs: list[Doc]) -> list[str]:
    """Every variable of the endpoints file is set for the Rasa containers."""
    known = set(dockerfile_env(RASA_DOCKERFILE)) | run_rasa_defaults() | set(config_map(docs))
    problems = []
    for workload in of_kind(docs, "Deployment"):
        for container, _ in containers(workload):
            if "rasa" not in container["image"]:
                continue
            given = known | {e["name"] for e in container.get("env", [])}
            if missing := endpoint_variables() - given:
                problems.append(f"{_where(workload, container)}: {sorted(missing)} not set")
    return problems


def _minimum_replicas(docs: list[Doc], deployment: Doc) -> int:
    for hpa in of_kind(docs, "HorizontalPodAutoscaler"):
        if hpa["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]:
            return int(hpa["spec"].get("minReplicas", 1))
    return int(deployment["spec"].get("replicas", 1))


def _memory_mb(quantity: str) -> float:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 10**3, "M": 10**6, "G": 10**9}
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)([A-Za-z]*)", quantity).groups()  # type: ignore[union-attr]
    return float(number) * units.get(unit, 1) / 10**6


def sizing_problems(docs: list[Doc]) -> list[str]:
    """Memory limits with headroom over the measured figures; production's replicas."""
    problems = []
    for deployment in of_kind(docs, "Deployment"):
        for container, _ in containers(deployment):
            measured = MEASURED_MB.get(container["name"])
            limit = container.get("resources", {}).get("limits", {}).get("memory", "0")
            if measured and _memory_mb(limit) < 1.5 * measured:
                problems.append(f"{_where(deployment, container)}: {limit} for {measured} MB")
    if not production(docs):
        return problems
    least = {"kelisim-worker": 2, "kelisim-rasa": 2, "kelisim-actions": 2, "kelisim-receiver": 2}
    for name, wanted in least.items():
        found = _minimum_replicas(docs, named(docs, "Deployment", name))
        if found < wanted:
            problems.append(f"Deployment/{name}: at least {found} replicas, not {wanted}")
    partitions = int(config_map(docs)["UPDATE_PARTITIONS"])
    for hpa in of_kind(docs, "HorizontalPodAutoscaler"):
        if "worker" in hpa["metadata"]["name"] and hpa["spec"]["maxReplicas"] > partitions:
            problems.append("more workers than UPDATE_PARTITIONS: some would have no stream")
    for doc in docs:
        if doc["kind"] != "Namespace" and doc["metadata"].get("namespace") != "kelisim":
            problems.append(f"{doc['kind']}/{doc['metadata']['name']}: not in namespace kelisim")
    return problems


def kubernetes_problems(docs: list[Doc]) -> list[str]:
    problems = []
    for workload in (d for d in docs if d["kind"] in WORKLOADS):
        problems += container_problems(workload)
    return (
        problems
        + secret_problems(docs)
        + least_privilege_problems(docs)
        + wiring_problems(docs)
        + rasa_environment_problems(docs)
        + sizing_problems(docs)
    )


def test_the_manifests_break_no_rule(rendered: list[Doc]) -> None:
    assert kubernetes_problems(rendered) == []


def test_every_process_is_deployed(rendered: list[Doc]) -> None:
    args = {
        " ".join(c.get("args", [])) or "(entrypoint)"
        for d in rendered
        if d["kind"] in WORKLOADS
        for c, _ in containers(d)
    }
    assert args == {
        "worker",
        "receive",
        "actions --host 0.0.0.0 --port 5055",
        "db upgrade",
        "(entrypoint)",  # Rasa: deploy/rasa/run.sh
    }
    kinds = {d["kind"] for d in rendered}
    assert {"HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "Job"} <= kinds


def test_the_secret_example_is_no_resource() -> None:
    kustomization = yaml.safe_load((KUSTOMIZATIONS["base"] / "kustomization.yaml").read_text())
    assert SECRET_EXAMPLE.name not in kustomization["resources"]
    values = yaml.safe_load(SECRET_EXAMPLE.read_text(encoding="utf-8"))["stringData"]
    assert set(values.values()) == {""}  # keys only, never a value


def _break_probe(docs: list[Doc]) -> None:
    named(docs, "Deployment", "kelisim-worker")["spec"]["template"]["spec"]["containers"][0].pop(
        "readinessProbe"
    )


def _container(docs: list[Doc], deployment: str) -> Doc:
    found: Doc = named(docs, "Deployment", deployment)["spec"]["template"]["spec"]["containers"][0]
    return found


def _pod(docs: list[Doc], deployment: str) -> Doc:
    found: Doc = named(docs, "Deployment", deployment)["spec"]["template"]["spec"]
    return found


BREAKS: dict[str, tuple[Callable[[list[Doc]], object], str]] = {
    "a probe": (_break_probe, "kelisim-worker worker: no readinessProbe"),
    "a liveness probe": (
        lambda d: _container(d, "kelisim-rasa").pop("livenessProbe"),
        "kelisim-rasa rasa: no livenessProbe",
    ),
    "a limit": (
        lambda d: _container(d, "kelisim-actions")["resources"]["limits"].pop("memory"),
        "no limits.memory",
    ),
    "root": (
        lambda d: _pod(d, "kelisim-receiver")["securityContext"].update(runAsUser=0),
        "runAsUser 0",
    ),
    "non-root off": (
        lambda d: _pod(d, "kelisim-receiver")["securityContext"].pop("runAsNonRoot"),
        "runAsNonRoot is not true",
    ),
    "escalation": (
        lambda d: _container(d, "kelisim-worker")["securityContext"].pop(
            "allowPrivilegeEscalation"
        ),
        "allowPrivilegeEscalation is not false",
    ),
    "a plain token": (
        lambda d: _container(d, "kelisim-worker")["env"].append(
            {"name": "TELEGRAM_BOT_TOKEN", "value": "1:x"}
        ),
        "TELEGRAM_BOT_TOKEN not from a Secret",
    ),
    "a URL with its password": (
        lambda d: _container(d, "kelisim-worker")["env"].append(
            {"name": "DATABASE_URL", "value": "postgresql://kelisim:pw@db/kelisim"}
        ),
        "DATABASE_URL not from a Secret",
    ),
    "a password in the ConfigMap": (
        lambda d: config_map(d).update(REDIS_PASSWORD="pw"),
        "ConfigMap: REDIS_PASSWORD looks like a secret",
    ),
    "a bot secret for the actions": (
        lambda d: (
            _container(d, "kelisim-actions")
            .setdefault("env", [])
            .append(
                {
                    "name": "DATABASE_URL",
                    "valueFrom": {
                        "secretKeyRef": {"name": "kelisim-secrets", "key": "DATABASE_URL"}
                    },
                }
            )
        ),
        "kelisim-actions actions: given ['DATABASE_URL']",
    ),
    "an HPA without its Deployment": (
        lambda d: named(d, "HorizontalPodAutoscaler", "kelisim-rasa")["spec"][
            "scaleTargetRef"
        ].update(name="kelisim-nlu"),
        "HPA/kelisim-rasa: no Deployment/kelisim-nlu",
    ),
    "latest": (
        lambda d: _container(d, "kelisim-rasa").update(image="kelisim-rasa:latest"),
        "names no version",
    ),
    "no tag": (
        lambda d: _container(d, "kelisim-worker").update(image="kelisim-app"),
        "kelisim-app: no tag",
    ),
    "another webhook path": (
        lambda d: config_map(d).update(WEBHOOK_URL="https://bot.example.org/elsewhere"),
        "Ingress path /telegram: WEBHOOK_URL's is /elsewhere",
    ),
    "a wrong Rasa address": (
        lambda d: config_map(d).update(RASA_URL="http://rasa:5005"),
        "RASA_URL=http://rasa:5005: no such Service",
    ),
    "a lock outliving the turn": (
        lambda d: config_map(d).update(TICKET_LOCK_LIFETIME="60"),
        "TICKET_LOCK_LIFETIME should be",
    ),
    "an endpoints variable unset": (
        lambda d: config_map(d).pop("REDIS_HOST"),
        "['REDIS_HOST'] not set",
    ),
    "too little memory": (
        lambda d: _container(d, "kelisim-rasa")["resources"]["limits"].update(memory="400Mi"),
        "400Mi for 365 MB",
    ),
}


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_each_rule_catches_its_break(rendered: list[Doc], name: str) -> None:
    docs = copy.deepcopy(rendered)
    breaking, expected = BREAKS[name]
    breaking(docs)
    problems = kubernetes_problems(docs)
    assert any(expected in p for p in problems), problems


def test_production_keeps_two_of_everything(rendered: list[Doc]) -> None:
    if not production(rendered):
        pytest.skip("the base runs one of each; production is the overlay's")
    docs = copy.deepcopy(rendered)
    named(docs, "HorizontalPodAutoscaler", "kelisim-rasa")["spec"]["minReplicas"] = 1
    docs[-1]["metadata"].pop("namespace")
    problems = sizing_problems(docs)
    assert "Deployment/kelisim-rasa: at least 1 replicas, not 2" in problems
    assert any("not in namespace kelisim" in p for p in problems)


# ---- Dockerfiles ----------------------------------------------------------------------------


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments left out."""
    found: list[tuple[str, str]] = []
    pending = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        pending += " " + stripped.removesuffix("\\").strip()
        if stripped.endswith("\\"):
            continue
        word, _, rest = pending.strip().partition(" ")
        found.append((word.upper(), rest.strip()))
        pending = ""
    return found


def final_stage(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last = max(i for i, (instruction, _) in enumerate(found) if instruction == "FROM")
    return found[last:]


def makefile_uv_version() -> str:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^UV_VERSION := (\S+)$", makefile, re.M)
    assert match, "the Makefile pins no UV_VERSION"
    return match.group(1)


def _pip_install_problems(command: str, uv_version: str) -> list[str]:
    problems = []
    for match in re.finditer(r"(?<!uv )\bpip3?\s+install\s+([^&;|]+)", command):
        packages = [a.strip("'\"") for a in match.group(1).split() if not a.startswith("-")]
        allowed = {"uv==${UV_VERSION}", f"uv=={uv_version}"}
        if not packages or set(packages) - allowed:
            problems.append(f"pip installs {packages}: only uv=={uv_version} may be")
    return problems


def dockerfile_problems(found: list[tuple[str, str]]) -> list[str]:
    """Pinned bases, installs from the locks only, uv as the Makefile pins it, not root."""
    uv_version = makefile_uv_version()
    problems = []
    stages: set[str] = set()
    for instruction, args in found:
        if instruction == "FROM":
            words = [w for w in args.split() if not w.startswith("--")]
            image = words[0]
            if image not in stages and not (
                "@sha256:" in image or re.search(r":\d+\.\d+\.\d+", image)
            ):
                problems.append(f"FROM {image}: not pinned to an exact version")
            if len(words) == 3 and words[1].upper() == "AS":
                stages.add(words[2])
        if (
            instruction == "ARG"
            and args.startswith("UV_VERSION")
            and args != f"UV_VERSION={uv_version}"
        ):
            problems.append(f"ARG {args}: the Makefile pins uv {uv_version}")
        if instruction != "RUN":
            continue
        problems += _pip_install_problems(args, uv_version)
        if re.search(r"\buv\s+(pip\s+install|add|lock)\b", args):
            problems.append(f"RUN {args}: resolves outside the lock files")
        if re.search(r"\b(poetry|conda|easy_install|pipenv)\b", args):
            problems.append(f"RUN {args}: another installer")
        if re.search(r"\buv\s+sync\b", args) and "--frozen" not in args:
            problems.append("uv sync without --frozen")
        if re.search(r"\buv\s+pip\s+sync\b", args) and "--require-hashes" not in args:
            problems.append("uv pip sync without --require-hashes")
    users = [args for instruction, args in final_stage(found) if instruction == "USER"]
    user = users[-1].split(":")[0] if users else "root"
    if user in ("root", "0") or (user.isdigit() and int(user) == 0):
        problems.append(f"the final stage runs as {user}")
    return problems


def _dockerignore_allows(dockerfile: Path, source: str) -> bool:
    ignore = dockerfile.with_name(dockerfile.name + ".dockerignore").read_text(encoding="utf-8")
    allowed = [line[1:].rstrip("/") for line in ignore.splitlines() if line.startswith("!")]
    return any(source.rstrip("/") == a or source.startswith(a + "/") for a in allowed)


def copy_problems(dockerfile: Path) -> list[str]:
    """What the image copies exists, is in its build context, and is no local secret."""
    problems = []
    for instruction, args in instructions(dockerfile):
        if instruction != "COPY" or "--from=" in args:
            continue
        *sources, _ = [w for w in args.split() if not w.startswith("--")]
        for source in sources:
            if not (ROOT / source).exists() and not source.startswith("models/"):
                problems.append(f"COPY {source}: not in the repository")
            if not _dockerignore_allows(dockerfile, source):
                problems.append(f"COPY {source}: left out of the build context")
            if source.startswith((".env", "var")) or "secret" in source:
                problems.append(f"COPY {source}: a local secret")
    return problems


@pytest.mark.parametrize("dockerfile", [APP_DOCKERFILE, RASA_DOCKERFILE], ids=lambda p: p.name)
def test_the_dockerfiles_break_no_rule(dockerfile: Path) -> None:
    assert dockerfile_problems(instructions(dockerfile)) == []
    assert copy_problems(dockerfile) == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("FROM python:3.11-slim-bookworm AS builder", "not pinned to an exact version"),
        ("FROM python:latest", "not pinned to an exact version"),
        ("RUN pip install requests", "only uv==0"),
        ("RUN pip install uv", "only uv==0"),
        ("RUN uv pip install rasa==3.6.21", "resolves outside the lock files"),
        ("RUN uv sync --no-dev", "uv sync without --frozen"),
        ("RUN uv pip sync requirements.lock", "uv pip sync without --require-hashes"),
        ("ARG UV_VERSION=0.1.0", "the Makefile pins uv"),
        ("USER root", "the final stage runs as root"),
        ("USER 0:0", "the final stage runs as 0"),
    ],
)
def test_each_dockerfile_rule_catches_its_break(line: str, expected: str) -> None:
    found = [*instructions(APP_DOCKERFILE), (line.split(" ", 1)[0], line.split(" ", 1)[1])]
    if line.startswith("FROM"):
        found.append(("USER", "10001"))
    problems = dockerfile_problems(found)
    assert any(expected in p for p in problems), problems


def test_the_app_image_runs_the_cli_from_the_lock() -> None:
    found = instructions(APP_DOCKERFILE)
    assert ("ENTRYPOINT", '["python", "-m", "bot"]') in found
    assert ("CMD", '["--help"]') in found
    sync = [args for instruction, args in found if "uv sync" in args]
    assert len(sync) == 1
    assert "--no-dev" in sync[0]
    # Read at run time by the bot and the action server (bot/actions/screening.py,
    # bot/telegram/content_manifest.py): in the image.
    copied = {args.split()[0] for instruction, args in found if instruction == "COPY"}
    assert {"bot/", "content/", "rasa_project/domain/", "rasa_project/data/"} <= copied


def test_the_rasa_image_runs_rasa_as_the_stack_does() -> None:
    found = instructions(RASA_DOCKERFILE)
    assert ("ENTRYPOINT", '["/app/deploy/run.sh"]') in found
    assert dockerfile_env(RASA_DOCKERFILE)["TICKET_LOCK_LIFETIME"] == ticket_lock_lifetime({})
    run = " ".join(RUN_RASA.read_text(encoding="utf-8").split())
    for part in (
        "exec python -m kelisim_engine.serve run",
        "--model /app/models/kelisim.tar.gz",
        '--endpoints "${RASA_ENDPOINTS:-/app/deploy/endpoints.yml}"',
        "--credentials /app/rasa_project/credentials.yml",
        "--port 5005",
        '--enable-api --auth-token "$RASA_API_TOKEN"',
    ):
        assert part in run
    copied = " ".join(args for instruction, args in found if instruction == "COPY")
    assert "models/kelisim.tar.gz" in copied
    assert "deploy/rasa/endpoints.yml" in copied


@pytest.mark.parametrize("dockerfile", [APP_DOCKERFILE, RASA_DOCKERFILE], ids=lambda p: p.name)
def test_the_build_context_leaves_local_secrets_out(dockerfile: Path) -> None:
    for local in (".env", "var/sender-id.secret", "var/kelisim.db", ".venv", "deploy/.env"):
        assert not _dockerignore_allows(dockerfile, local)
    assert _dockerignore_allows(dockerfile, "bot/")


# ---- Rasa's endpoints -----------------------------------------------------------------------


def endpoints_problems(endpoints: Doc) -> list[str]:
    """The stores bot/stack.py uses, every value from the environment."""
    problems = []
    tracker, lock = endpoints["tracker_store"], endpoints["lock_store"]
    if tracker.get("type") != COMPACT_REDIS_STORE:
        problems.append(f"tracker store {tracker.get('type')}, not {COMPACT_REDIS_STORE}")
    if lock.get("type") != ATOMIC_REDIS_LOCKS:
        problems.append(f"lock store {lock.get('type')}, not {ATOMIC_REDIS_LOCKS}")
    for store in (tracker, lock):
        for key in ("url", "port", "db", "password", "key_prefix"):
            if not re.fullmatch(r"\$\{[A-Z_]+\}", str(store.get(key))):
                problems.append(f"{key}: {store.get(key)!r} is not from the environment")
    if tracker.get("record_exp") != "${RASA_TRACKER_TTL}":
        problems.append("conversations do not expire after RASA_TRACKER_TTL")
    if not re.fullmatch(r"\$\{[A-Z_]+\}", str(endpoints["action_endpoint"]["url"])):
        problems.append("the action endpoint is not from the environment")
    return problems


def test_rasas_endpoints_break_no_rule() -> None:
    endpoints = yaml.safe_load(ENDPOINTS.read_text(encoding="utf-8"))
    assert endpoints_problems(endpoints) == []
    tls = yaml.safe_load(ENDPOINTS_TLS.read_text(encoding="utf-8"))
    assert endpoints_problems(tls) == []
    for store in ("tracker_store", "lock_store"):
        assert tls[store].pop("use_ssl") is True
    assert tls == endpoints  # the same but for TLS
    broken = copy.deepcopy(endpoints)
    broken["tracker_store"].update(type="redis", password="hunter2", url="10.0.0.5")
    broken["lock_store"]["type"] = "in_memory"
    assert endpoints_problems(broken) == [
        f"tracker store redis, not {COMPACT_REDIS_STORE}",
        f"lock store in_memory, not {ATOMIC_REDIS_LOCKS}",
        "url: '10.0.0.5' is not from the environment",
        "password: 'hunter2' is not from the environment",
    ]


# ---- compose --------------------------------------------------------------------------------


def compose() -> Doc:
    loaded: Doc = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def _environment(service: Doc) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def compose_secret_problems(name: str, service: Doc) -> list[str]:
    """Secrets only as ${VAR} references to deploy/.env, never written in the file."""
    problems = []
    for key, value in _environment(service).items():
        if SECRET_NAME.search(key) and not COMPOSE_REFERENCE.fullmatch(value):
            problems.append(f"{name}: {key} is written in the file")
    for text in _strings(service):
        if any(not COMPOSE_REFERENCE.fullmatch(p) for p in URL_PASSWORD.findall(text)):
            problems.append(f"{name}: a URL holds its password")
    args = [str(a) for a in service.get("command", [])]
    for flag, value in itertools.pairwise(args):
        if flag == "--requirepass" and not COMPOSE_REFERENCE.fullmatch(value):
            problems.append(f"{name}: the Redis password is written in the file")
    if name in ("rasa", "actions"):
        given = set(_environment(service)) & set(model.BOT_ONLY)
        if service.get("env_file") or given - (RASA_SECRETS if name == "rasa" else set()):
            problems.append(f"{name}: gets the bot's secrets")
    return problems


def compose_problems(file: Doc) -> list[str]:
    """No plain secret; healthchecks, restarts, pinned images; the receiver's port alone."""
    problems = []
    for name, service in file["services"].items():
        problems += compose_secret_problems(name, service)
        image = str(service.get("image", ""))
        # Our images' tags come from deploy/.env, required (${TAG:?}): no default to fall to.
        tag = re.fullmatch(r"[^$]+:(\$\{.*\})", image)
        required_tag = tag and COMPOSE_REFERENCE.fullmatch(tag.group(1))
        if not required_tag and (problem := image_problem(image)):
            problems.append(f"{name}: {problem}")
        one_shot = str(service.get("restart")) == "no"
        if not one_shot and service.get("restart") != "unless-stopped":
            problems.append(f"{name}: restart is {service.get('restart')!r}")
        if not one_shot and "test" not in service.get("healthcheck", {}):
            problems.append(f"{name}: no healthcheck")
        if service.get("ports") and name != "receiver":
            problems.append(f"{name}: publishes {service['ports']}")
        waits = service.get("depends_on", {}).get("migrate", {}).get("condition")
        ours = image.startswith(("kelisim-app", "kelisim-rasa"))
        if ours and not one_shot and waits != "service_completed_successfully":
            problems.append(f"{name}: starts before the migrations completed")
    return problems


def test_compose_breaks_no_rule() -> None:
    file = compose()
    assert compose_problems(file) == []
    assert set(file["services"]) == {
        "postgres", "redis", "migrate", "rasa", "actions", "receiver", "worker",
    }  # fmt: skip
    assert file["services"]["worker"]["deploy"]["replicas"] >= 2
    assert file["services"]["redis"]["command"][1:3] == ["--appendonly", "yes"]
    assert "postgres-data:/var/lib/postgresql/data" in file["services"]["postgres"]["volumes"]
    # Receivers and workers read UPDATE_PARTITIONS from the same file, and override it nowhere.
    for name in ("receiver", "worker"):
        assert file["services"][name]["env_file"] == ".env"
        assert "UPDATE_PARTITIONS" not in _environment(file["services"][name])
    rasa = set(_environment(file["services"]["rasa"])) | set(dockerfile_env(RASA_DOCKERFILE))
    assert endpoint_variables() - rasa - run_rasa_defaults() == set()


COMPOSE_BREAKS: dict[str, tuple[Callable[[Doc], object], str]] = {
    "a written token": (
        lambda f: f["services"]["rasa"]["environment"].update(RASA_API_TOKEN="abc"),
        "rasa: RASA_API_TOKEN is written in the file",
    ),
    "a URL with its password": (
        lambda f: f["services"]["worker"]["environment"].update(
            DATABASE_URL="postgresql://kelisim:pw@postgres/kelisim"
        ),
        "worker: a URL holds its password",
    ),
    "a written Redis password": (
        lambda f: f["services"]["redis"]["command"].__setitem__(4, "pw"),
        "redis: the Redis password is written in the file",
    ),
    "no healthcheck": (
        lambda f: f["services"]["actions"].pop("healthcheck"),
        "actions: no healthcheck",
    ),
    "no restart": (lambda f: f["services"]["worker"].pop("restart"), "worker: restart is None"),
    "latest": (lambda f: f["services"]["redis"].update(image="redis:latest"), "names no version"),
    "a default tag": (
        lambda f: f["services"]["worker"].update(image="kelisim-app:${TAG:-latest}"),
        "worker: kelisim-app:${TAG:-latest}",
    ),
    "a published port": (
        lambda f: f["services"]["rasa"].update(ports=["5005:5005"]),
        "rasa: publishes",
    ),
    "no wait for the migrations": (
        lambda f: f["services"]["worker"]["depends_on"].pop("migrate"),
        "worker: starts before the migrations completed",
    ),
    "the bot's secrets for the actions": (
        lambda f: f["services"]["actions"].update(env_file=".env"),
        "actions: gets the bot's secrets",
    ),
}


@pytest.mark.parametrize("name", sorted(COMPOSE_BREAKS))
def test_each_compose_rule_catches_its_break(name: str) -> None:
    file = compose()
    breaking, expected = COMPOSE_BREAKS[name]
    breaking(file)
    problems = compose_problems(file)
    assert any(expected in p for p in problems), problems


def test_the_env_file_is_ignored_and_its_example_holds_no_secret() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(DEPLOY / ".env")], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0, "git would commit deploy/.env"
    example = dict(
        line.split("=", 1)
        for line in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert {k: v for k, v in example.items() if SECRET_NAME.search(k) and v} == {}
    required = {name for text in _strings(compose()) for name in re.findall(r"\$\{(\w+):\?", text)}
    assert required - set(example) == set()
