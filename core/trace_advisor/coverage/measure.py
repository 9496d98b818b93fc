"""Span coverage of a workspace: which functions deserve a span (traced or not) and which already create one."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from trace_advisor.analysis import Analyzer
from trace_advisor.cancel import NEVER, CancelToken
from trace_advisor.config_model import Config
from trace_advisor.cost import COST_PRIORITY
from trace_advisor.datatypes import Problem, Recommendation, SymbolId

if TYPE_CHECKING:
    from trace_advisor.index import Index

TOP_LEVEL = "(top level)"  # the package of modules that are not inside a package


@dataclass(frozen=True, slots=True)
class FunctionCoverage:
    """One function that deserves a span at the run's ``min_confidence``, whether or not it has one."""

    key: str  # the symbol id; ``#2``, ``#3``... for further defs sharing it (a property's setter)
    symbol: SymbolId
    file: str  # relative to the coverage root, with ``/``
    line: int  # the def line
    package: str
    confidence: float  # scored as if the function had no span
    priority: str
    traced: str | None  # the existing span, or None

    @property
    def is_traced(self) -> bool:
        return self.traced is not None


@dataclass(frozen=True, slots=True)
class Tally:
    """Counts and confidence sums of one package (or of everything)."""

    functions: int = 0
    traced: int = 0
    weight: float = 0.0
    traced_weight: float = 0.0

    @property
    def ratio(self) -> float:
        """Traced share of the functions that deserve a span (1.0 when none do)."""
        return self.traced / self.functions if self.functions else 1.0

    @property
    def weighted(self) -> float:
        """The same share, each function counted by its confidence."""
        return self.traced_weight / self.weight if self.weight else 1.0

    def add(self, function: FunctionCoverage) -> Tally:
        traced = function.is_traced
        return Tally(
            self.functions + 1,
            self.traced + traced,
            self.weight + function.confidence,
            self.traced_weight + (function.confidence if traced else 0.0),
        )


@dataclass(frozen=True, slots=True)
class Coverage:
    """The functions that deserve a span under one root, and the content hash of every analysed file."""

    min_confidence: float
    functions: tuple[FunctionCoverage, ...]  # in file and line order
    files: dict[str, str]  # relative path -> sha256 of the text (changed files are found by comparing these)
    problems: tuple[Problem, ...] = ()

    def overall(self) -> Tally:
        return _tally(self.functions)

    def packages(self) -> dict[str, Tally]:
        """Per package, sorted by name."""
        names = sorted({f.package for f in self.functions})
        return {name: _tally(f for f in self.functions if f.package == name) for name in names}


def _tally(functions: Iterable[FunctionCoverage]) -> Tally:
    tally = Tally()
    for function in functions:
        tally = tally.add(function)
    return tally


def measure(
    index: Index,
    config: Config,
    root: Path,
    files: Sequence[Path] | None = None,
    *,
    cancel: CancelToken = NEVER,
    progress: Callable[[int, int], None] | None = None,
) -> Coverage:
    """Coverage of ``files`` (every indexed file when None): each function the local scorer finds worth a span at
    ``config.min_confidence`` — scored on its own code, a span it already has taken out — and whether it has one.
    Unlike ``analyze``, ``max_per_file`` does not apply: every such function counts."""
    analyzer = Analyzer(index, config, index.graph())
    wanted = list(files) if files is not None else list(index.files())
    found: list[FunctionCoverage] = []
    untraced: list[Recommendation] = []  # deserving and without a span: the cost rules may still leave them out
    hashes: dict[str, str] = {}
    problems: list[Problem] = []
    for number, path in enumerate(wanted, 1):
        cancel.check()
        text = index.source(path)
        relative = _relative(path, root)
        if text is not None:
            hashes[relative] = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        results, problem = analyzer.function_results(path, cancel)
        if problem is not None:
            problems.append(problem)
        package = _package(index.module_for_path(path) or path.stem, path)
        seen: dict[SymbolId, int] = {}
        for result in results:
            verdict = result.verdict
            symbol = result.ctx.symbol
            seen[symbol] = seen.get(symbol, 0) + 1
            if not verdict.deserves_span(config.min_confidence):
                continue
            assert verdict.priority is not None
            if not verdict.traced and result.recommendation is not None:
                untraced.append(result.recommendation)
            found.append(
                FunctionCoverage(
                    key=symbol if seen[symbol] == 1 else f"{symbol}#{seen[symbol]}",
                    symbol=symbol,
                    file=relative,
                    line=result.ctx.node.lineno,
                    package=package,
                    confidence=verdict.confidence,
                    priority=verdict.priority,
                    traced=verdict.traced,
                )
            )
        if progress is not None:
            progress(number, len(wanted))
    # the cost decision of ``analyze``: what it leaves out does not count as missing a span, and a caller it
    # promotes in place of a hot function does
    analyzer.within(wanted)
    decision = analyzer.costly(untraced)
    found = [f for f in found if f.traced or f.symbol not in decision.reasons]
    listed = {f.symbol for f in found}
    for rec in analyzer.promoted(decision, untraced):
        if rec.symbol in listed:
            continue
        module = rec.symbol.partition(":")[0]
        found.append(
            FunctionCoverage(
                key=rec.symbol,
                symbol=rec.symbol,
                file=_relative(Path(rec.file), root),
                line=rec.name_range.start.line,
                package=_package(module, Path(rec.file)),
                confidence=rec.confidence,
                priority=rec.priority,
                traced=None,
            )
        )
    # a caller whose span measures a hot function counts as traced: once it has that span (promoted in the hot
    # function's place, or there already) it is no longer promoted, and would otherwise drop out of coverage
    hot = {rec.symbol: rec for rec in untraced}
    for symbol, callers in decision.measured_by.items():
        for caller in callers:
            where = analyzer.span_of(caller) if symbol in hot and caller not in listed else None
            if where is None:
                continue
            path, line, span = where
            listed.add(caller)
            found.append(
                FunctionCoverage(
                    key=caller,
                    symbol=caller,
                    file=_relative(path, root),
                    line=line,
                    package=_package(caller.partition(":")[0], path),
                    confidence=hot[symbol].confidence,
                    priority=COST_PRIORITY,
                    traced=span,
                )
            )
    found.sort(key=lambda f: (f.file, f.line, f.key))
    return Coverage(config.min_confidence, tuple(found), dict(sorted(hashes.items())), tuple(problems))


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _package(module: str, path: Path) -> str:
    """The dotted package a module belongs to (a package's ``__init__`` belongs to the package itself)."""
    if path.name == "__init__.py":
        return module
    package = module.rpartition(".")[0]
    return package or TOP_LEVEL
