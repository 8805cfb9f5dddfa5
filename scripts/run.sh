#!/usr/bin/env bash
# Install (first time), ingest policies/ into the embedded Qdrant, and start the API
# (plus the chat UI when it is installed). No servers to start by hand. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh "ui,llm"
. .venv/bin/activate
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
python -m ingest policies/ -q
# The administrator key (uploads, deletes, approvals): created once, readable by this user only.
# The chat UI does not get it; the documents page asks for it per browser session.
DATA_DIR="${PA_DATA_DIR:-.data}"
KEY_FILE="$DATA_DIR/admin-key"
if [ -z "${PA_API_KEY:-}" ]; then
  if [ ! -s "$KEY_FILE" ]; then
    mkdir -p "$DATA_DIR"
    (umask 077 && python -c "import secrets; print(secrets.token_urlsafe(32))" > "$KEY_FILE")
    echo "Ny administratörsnyckel skapad: $KEY_FILE"
  fi
  chmod 600 "$KEY_FILE"
  PA_API_KEY="$(cat "$KEY_FILE")"
  export PA_API_KEY
  echo "Administratörsnyckel (för uppladdning och godkännande): $KEY_FILE"
fi
PORT="${PA_API_PORT:-8000}"
UI_PORT="${PA_UI_PORT:-8501}"
python -m assistant serve --port "$PORT" &
API_PID=$!
trap 'kill $API_PID ${UI_PID:-} 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 1
done
if [ -f ui/app.py ]; then
  env -u PA_API_KEY PA_API_URL="http://127.0.0.1:$PORT" python -m ui --server.port "$UI_PORT" \
    --server.address "${PA_UI_HOST:-127.0.0.1}" --server.headless true &
  UI_PID=$!
  echo "Chatten:  http://127.0.0.1:$UI_PORT"
fi
echo "API:      http://127.0.0.1:$PORT/docs"
wait $API_PID
