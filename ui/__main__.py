"""``python -m ui [STREAMLIT OPTIONS]``: start the interface (``streamlit run ui/app.py``).

With ``PA_OIDC_ISSUER`` set, Streamlit's sign-in (``st.login``) is configured first: a
secrets file in the data folder (mode 600) names the provider's discovery document, the
client id and secret (``PA_OIDC_CLIENT_ID``, ``PA_OIDC_CLIENT_SECRET`` or
``PA_OIDC_CLIENT_SECRET_FILE``; ``PA_OIDC_DISCOVERY_URL`` if the issuer's address is not
reachable from this server), the redirect address (``PA_UI_URL`` + ``/oauth2callback``)
and a cookie secret kept in the data folder. The ID token is exposed to the interface,
which sends it to the API with every call. The UI reads only environment variables: it
talks to the rest of the product over HTTP.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

APP = Path(__file__).with_name("app.py")


def _secret_file(path: Path) -> str:
    """A random secret kept in ``path`` (created with mode 600 on first use)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(32))
    return path.read_text(encoding="utf-8").strip()


def auth_secrets(env: dict[str, str]) -> str | None:
    """The ``[auth]`` section of Streamlit's secrets for the configured provider (TOML), or
    None when sign-in is off."""
    issuer = (env.get("PA_OIDC_ISSUER") or "").rstrip("/")
    if not issuer:
        return None
    data_dir = Path(env.get("PA_DATA_DIR") or ".data")
    data_dir.mkdir(parents=True, exist_ok=True)
    client_secret = env.get("PA_OIDC_CLIENT_SECRET")
    if not client_secret and env.get("PA_OIDC_CLIENT_SECRET_FILE"):
        client_secret = Path(env["PA_OIDC_CLIENT_SECRET_FILE"]).read_text(encoding="utf-8")
    if not client_secret:
        raise SystemExit("error: PA_OIDC_ISSUER is set but no client secret "
                         "(PA_OIDC_CLIENT_SECRET or PA_OIDC_CLIENT_SECRET_FILE)")  # fmt: skip
    ui_url = (env.get("PA_UI_URL") or "http://localhost:8501").rstrip("/")
    values = {
        "redirect_uri": f"{ui_url}/oauth2callback",
        "cookie_secret": env.get("PA_UI_COOKIE_SECRET") or _secret_file(data_dir / "ui-cookie"),
        "client_id": env.get("PA_OIDC_CLIENT_ID") or "policyassistent",
        "client_secret": client_secret.strip(),
        "server_metadata_url": env.get("PA_OIDC_DISCOVERY_URL")
        or f"{issuer}/.well-known/openid-configuration",
    }
    lines = ["[auth]", *(f"{k} = {json.dumps(v)}" for k, v in values.items())]
    lines += ['expose_tokens = ["id"]', "", "[auth.client_kwargs]", 'scope = "openid profile"']
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    from streamlit.web import cli

    options = ["--browser.gatherUsageStats", "false"]
    section = auth_secrets(dict(os.environ))
    if section is not None:
        path = Path(os.environ.get("PA_DATA_DIR") or ".data") / "ui-secrets.toml"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(section)
        options += ["--secrets.files", str(path)]
    sys.argv = ["streamlit", "run", str(APP), *options, *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
