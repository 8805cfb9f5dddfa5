"""The one place a generative LLM is created, through llama-index LLM classes (by setting).

- ``openai``: any OpenAI-compatible server (Ollama's /v1, vLLM, llama.cpp's llama_cpp.server)
  via ``OpenAILike``;
- ``ollama``: Ollama's native API via ``Ollama``;
- ``extractive``: no LLM at all.
"""

from __future__ import annotations

from llama_index.core.llms import LLM

from core.settings import Settings


class LLMUnavailableError(RuntimeError):
    """The LLM server could not be reached or did not answer in time."""


def create_llm(settings: Settings) -> LLM | None:
    if settings.answer_mode == "extractive":
        return None
    try:
        if settings.answer_mode == "openai":
            from llama_index.llms.openai_like import OpenAILike

            return OpenAILike(
                model=settings.llm_model,
                api_base=settings.llm_base_url,
                api_key=settings.llm_api_key.get_secret_value(),
                is_chat_model=True,
                temperature=settings.llm_temperature,
                max_tokens=settings.llm_max_tokens,
                timeout=settings.llm_timeout_s,
                max_retries=1,
                context_window=8192,
            )
        from llama_index.llms.ollama import Ollama

        return Ollama(
            model=settings.llm_model,
            base_url=settings.llm_base_url.removesuffix("/v1").rstrip("/"),
            request_timeout=settings.llm_timeout_s,
            temperature=settings.llm_temperature,
            context_window=8192,
        )
    except ImportError as exc:  # pragma: no cover - depends on installed extras
        raise ValueError(
            f"PA_ANSWER_MODE={settings.answer_mode} needs the 'llm' extra: pip install -e '.[llm]'"
        ) from exc
