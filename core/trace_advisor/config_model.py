"""The typed configuration tree (snake_case, frozen); ``config/default.yaml`` holds every default and its docs.

The loader (:mod:`trace_advisor.config`) builds these from YAML/TOML/env/editor settings; everything else only reads
them. Field names equal the YAML keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

ReportFormat = Literal["json", "md", "sarif", "html"]
LogLevel = Literal["error", "warning", "info", "debug"]
SpanForm = Literal["with", "decorator"]
SwallowedExceptions = Literal["event", "none"]
Scoring = Literal["rules", "calibrated"]

PRIORITY_NAMES = (
    "external_io",
    "message_bus",
    "exceptions",
    "branches",
    "entry_points",
    "state_changes",
    "performance",
    "context_propagation",
    "async_boundaries",
)


@dataclass(frozen=True, slots=True)
class PriorityConfig:
    weight: float
    description: str


@dataclass(frozen=True, slots=True)
class BedrockConfig:
    model_id: str = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    temperature: float = 0.0
    max_tokens: int = 2048
    timeout_seconds: float = 60
    max_attempts: int = 4


@dataclass(frozen=True, slots=True)
class OpenAIConfig:
    base_url: str = "http://localhost:11434/v1"
    model: str = "llama3.2"
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float = 0.0
    max_tokens: int = 2048
    timeout_seconds: float = 60
    max_attempts: int = 4


@dataclass(frozen=True, slots=True)
class ProviderKind:
    """A model provider's settings: the class of ``provider.<name>`` and which of its fields names the model."""

    settings: type  # the dataclass of ``provider.<name>``, also a field of ProviderConfig
    model_field: str


# The model providers, by ``provider.name``: the config loader, the CLI's --provider/--model, the schema's enum (a test
# checks it) and the provider factory (trace_advisor.advise.providers) all read this table. "local" is no provider.
PROVIDERS: Mapping[str, ProviderKind] = MappingProxyType(
    {"bedrock": ProviderKind(BedrockConfig, "model_id"), "openai": ProviderKind(OpenAIConfig, "model")}
)
PROVIDER_NAMES = ("local", *PROVIDERS)


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    name: str = "local"  # one of PROVIDER_NAMES (the loader checks it against the schema)
    batch_size: int = 16
    concurrency: int = 4
    cache: bool = True
    bedrock: BedrockConfig = field(default_factory=BedrockConfig)
    openai: OpenAIConfig = field(default_factory=OpenAIConfig)

    @property
    def model(self) -> str:
        """The model id in use, or "local"."""
        kind = PROVIDERS.get(self.name)
        return "local" if kind is None else str(getattr(getattr(self, self.name), kind.model_field))

    @property
    def engine(self) -> str:
        """What analyses with this provider are labelled (``AnalysisResult.engine``): "local" or "name:model"."""
        return "local" if self.name == "local" else f"{self.name}:{self.model}"


@dataclass(frozen=True, slots=True)
class ReportConfig:
    format: ReportFormat = "md"
    template: str | None = None
    output: str | None = None


@dataclass(frozen=True, slots=True)
class SpansConfig:
    form: SpanForm = "with"
    swallowed_exceptions: SwallowedExceptions = "event"
    sensitive_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ServerConfig:
    analyze_on_save: bool = True
    debounce_ms: int | None = None  # None: cancel and restart on each edit, wait only when analysis is slow
    code_lens: bool = True
    log_level: LogLevel = "info"


@dataclass(frozen=True, slots=True)
class IgnoredSetting:
    """A setting of an untrusted project file that was left out (see ``trace_advisor.config.trust``)."""

    key: str  # dotted key path, e.g. "provider.openai.base_url"
    where: str  # "file:line"
    value: str  # the value as written, shortened, for the user to judge
    reason: str


@dataclass(frozen=True, slots=True)
class Config:
    priorities: Mapping[str, PriorityConfig]
    search_paths: tuple[str, ...] = ()
    python: str | None = None
    ignore: tuple[str, ...] = ()
    traces: tuple[str, ...] = ()  # absolute paths or glob patterns of OTLP JSON trace files
    min_confidence: float = 0.5
    scoring: Scoring = "calibrated"
    max_per_file: int = 10
    max_file_bytes: int = 5_000_000
    hot_calls_per_unit: float = 100.0  # above this estimate, a function with nothing of its own gets no span
    provider: ProviderConfig = field(default_factory=ProviderConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    spans: SpansConfig = field(default_factory=SpansConfig)
    server: ServerConfig = field(default_factory=ServerConfig)
    # where each value came from, for messages: key path -> "file:line" / "env TRACE_ADVISOR_X" / "default"
    origins: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # the project file's settings that need `trace-advisor trust` first (empty when trusted), and that file
    ignored: tuple[IgnoredSetting, ...] = ()
    untrusted_file: str | None = None

    def weight(self, priority: str) -> float:
        found = self.priorities.get(priority)
        return found.weight if found else 0.0
