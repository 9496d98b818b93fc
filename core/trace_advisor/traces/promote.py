"""Functions the local scorer leaves below ``min_confidence`` that ran in a slow untraced gap of a traced caller: the
traces say their time matters, so they are recommended after all, at the threshold, saying so in the rationale."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from trace_advisor.analysis import Analyzer
from trace_advisor.config_model import Config
from trace_advisor.datatypes import Recommendation, SymbolId

if TYPE_CHECKING:
    from trace_advisor.index import Index


@dataclasses.dataclass(frozen=True, slots=True)
class Promotion:
    """Recommendations for ``symbols`` below the threshold, and the confidence a promoted one gets at least."""

    index: Index
    config: Config
    files: Collection[Path] | None  # the analysed files (None: all); functions elsewhere are not the run's to add

    @property
    def floor(self) -> float:
        return self.config.min_confidence

    def recommend(self, symbols: Sequence[SymbolId]) -> list[Recommendation]:
        """A recommendation for each of ``symbols`` that has evidence of its own (not trivial, not silenced, not
        traced) but too little to reach ``min_confidence``, in the analysed files."""
        wanted: dict[Path, set[SymbolId]] = defaultdict(set)
        analysed = {Path(f).resolve() for f in self.files} if self.files is not None else None
        for symbol in symbols:
            definition = self.index.definition(symbol)
            if definition is None or not self.index.is_indexed(Path(definition.file)):
                continue
            path = Path(definition.file)
            if analysed is None or path.resolve() in analysed:
                wanted[path].add(symbol)
        analyzer = Analyzer(self.index, self.config, self.index.graph())
        out: list[Recommendation] = []
        for path, names in wanted.items():
            results, _ = analyzer.function_results(path)
            for result in results:
                verdict = result.verdict
                if result.ctx.symbol not in names or verdict.traced is not None or verdict.priority is None:
                    continue
                if not 0 < verdict.confidence < self.floor:
                    continue  # no evidence at all, or above the threshold (recommended already)
                at_floor = dataclasses.replace(verdict, confidence=self.floor)
                rec = analyzer.scorer.recommend(result.ctx, result.signals, at_floor)
                if rec is not None:
                    note = (
                        f" On its code alone {verdict.confidence:.2f}, below min_confidence {self.floor:g}: recommended"
                        " because it ran in a slow untraced stretch of a traced caller."
                    )
                    out.append(dataclasses.replace(rec, confidence=verdict.confidence, rationale=rec.rationale + note))
        return out
