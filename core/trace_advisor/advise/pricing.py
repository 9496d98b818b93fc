"""Estimates the cost of model calls from the per-model price table in ``config/prices.yaml``."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

log = logging.getLogger(__name__)

# Cross-region inference profile prefixes: "us.meta.llama3-2-3b-instruct-v1:0" is priced like the model itself.
_PROFILE_PREFIX = re.compile(r"^(?:us|eu|apac|us-gov|ca|jp|au|global)\.(?=[a-z0-9\-]+\.)")


@dataclass(frozen=True, slots=True)
class Price:
    input_per_million: float
    output_per_million: float

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input_per_million + output_tokens * self.output_per_million) / 1_000_000


@dataclass(frozen=True, slots=True)
class PriceTable:
    """Prices by model id prefix, a default for unknown models, and the date the prices were collected."""

    models: Mapping[str, Price]
    default: Price
    as_of: str = "unknown"

    @staticmethod
    def load(path: Path | None = None) -> PriceTable:
        """Read ``path`` (default: the bundled ``prices.yaml``); a missing or broken file gives the built-in default."""
        try:
            if path is None:
                text = resources.files("trace_advisor").joinpath("resources/prices.yaml").read_text("utf-8")
            else:
                text = path.read_text("utf-8")
            return PriceTable.parse(yaml.safe_load(text))
        except (OSError, yaml.YAMLError, ValueError, TypeError) as exc:
            log.warning("cannot read the model price table (%s); cost estimates use a default price", exc)
            return PriceTable({}, Price(3.0, 15.0))

    @staticmethod
    def parse(data: object) -> PriceTable:
        if not isinstance(data, dict):
            raise ValueError("prices.yaml must be a mapping")
        models_raw = data.get("models") or {}
        if not isinstance(models_raw, dict):
            raise ValueError("prices.yaml: 'models' must be a mapping")
        models = {str(key): _price(value, f"models.{key}") for key, value in models_raw.items()}
        return PriceTable(models, _price(data.get("default"), "default"), str(data.get("as_of", "unknown")))

    def price(self, model: str) -> Price:
        """The price of ``model``: the longest table key that prefixes it (profile prefix removed), else the default."""
        bare = _PROFILE_PREFIX.sub("", model)
        best = max((key for key in self.models if bare.startswith(key)), key=len, default=None)
        return self.models[best] if best is not None else self.default

    def known(self, model: str) -> bool:
        bare = _PROFILE_PREFIX.sub("", model)
        return any(bare.startswith(key) for key in self.models)

    def cost(self, model: str, input_tokens: int, output_tokens: int) -> float:
        return self.price(model).cost(input_tokens, output_tokens)


def _price(value: object, where: str) -> Price:
    if not isinstance(value, dict):
        raise ValueError(f"prices.yaml: {where} must be {{input: N, output: N}}")
    try:
        price = Price(float(value["input"]), float(value["output"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"prices.yaml: {where} needs numeric 'input' and 'output'") from exc
    if price.input_per_million < 0 or price.output_per_million < 0:
        raise ValueError(f"prices.yaml: {where} has a negative price")
    return price
