"""Scores span placement on a held-out corpus of real repositories whose maintainers placed spans by hand.

Only coordinates and labels are stored (``benchmarks/corpus/manifest.json``: repository, commit, the folders
analysed, the project's own span helpers used to label it, its split, and per file the functions its maintainers
traced and those they did not); the code is exported at run time from local bare clones
(``MIRRORS/<owner>+<name>/repo``, e.g. ``git clone --bare https://github.com/<owner>/<name>
MIRRORS/<owner>+<name>/repo``) into a scratch folder, and never committed.

Each labelled function is scored as the local engine sees it with its span taken out (the coverage view:
``Verdict.deserves_span``), so a traced function counts as found when the engine would have recommended it. Figures:
micro and macro (each repository weighted equally) recall/precision/F1 over the whole corpus and over each split, per
repository, the "span every function" baseline, a precision/recall sweep over ``min_confidence``, and the dev-set F1
beside them so nothing is tuned to one.

The partly instrumented case (``--keep FRACTION --seed N``): each repository is exported again with the spans of all
but a seeded random FRACTION of its traced functions (the labelled ones, and those the manifest does not label but
that start a span in their own code, such as Sentry's) taken out of the code (each such function rewritten as the
analysis scores it without its span, ``detect.existing.without_span``, also without the project's marker helpers and
span helpers), then analysed with the spans that remain and scored on the functions whose span was removed and the
untraced ones (the kept ones are the project's own spans: labels the engine may read, never scored). ``--keep 0``
strips every span: the project as it was before anyone traced it, so what the spans leave behind goes with them (the
span's name used after its ``with``, span parameters, ``if tracing_enabled:`` switches, values built for the span,
then tracers and tracing imports nothing uses any more: ``untraced_text``). ``--seed`` is repeatable (one run per
seed, the figures averaged).

Splits: ``dev`` repositories may be studied (``--errors`` lists their false positives and negatives) while the engine
is improved; ``heldout`` repositories are only ever scored, so their figures say how the engine does on code nobody
tuned it to. ``--errors`` never lists held-out mistakes.

The manifest labels only the files with a span (a file nobody traced says nothing of where its maintainers would put
one), so the figures above read the engine where each file holds at least one traced function. A user's run reads
every file: ``--whole`` also scores every other file of each repository's scope (tests and tracing plumbing aside,
as the labeller leaves them), its functions labelled not traced, which is what a recommendation there costs the
reader (with or without ``--keep``).

    .venv/bin/python benchmarks/placement_corpus.py --mirrors /work/.mirror
    .venv/bin/python benchmarks/placement_corpus.py --mirrors DIR --sweep --json
    .venv/bin/python benchmarks/placement_corpus.py --mirrors DIR --keep 0.3 --seed 1 --seed 2 --seed 3
    .venv/bin/python benchmarks/placement_corpus.py --mirrors DIR --keep 0 --whole   # every file, as a user runs it
    .venv/bin/python benchmarks/placement_corpus.py --mirrors DIR --label owner/name COMMIT SCOPE... \
        [--marker traced_llm ...] [--label-split heldout]                            # a new entry
"""

from __future__ import annotations

import argparse
import ast
import copy
import io
import json
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from placement_eval import DEFAULT_DEVSET, SWEEP, Engine, Score, load_labels, score_all  # the script's folder
from trace_advisor.parsing import parse_as_written

MANIFEST = Path(__file__).resolve().parent / "corpus" / "manifest.json"
SPLITS = ("dev", "heldout")


@dataclass(frozen=True)
class FunctionLabel:
    qualname: str
    traced: bool


@dataclass
class Repo:
    """One repository of the corpus: where its code is, and per file the functions with their labels."""

    repo: str
    commit: str
    scope: tuple[str, ...]
    files: dict[str, dict[str, list[str]]]  # file -> {"traced": [...], "not_traced": [...]}
    split: str = "heldout"  # "dev" (studied while tuning) or "heldout" (only scored)
    markers: tuple[str, ...] = ()  # the project's own span helpers the labels were read with

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Repo:
        split = str(data.get("split", ""))
        if split not in SPLITS:
            raise SystemExit(f"placement_corpus: {data.get('repo')}: split must be one of {SPLITS}, not {split!r}")
        return cls(
            repo=str(data["repo"]),
            commit=str(data["commit"]),
            scope=tuple(data["scope"]),  # type: ignore[arg-type]
            files=dict(data["files"]),  # type: ignore[arg-type]
            split=split,
            markers=tuple(data.get("markers", ())),  # type: ignore[arg-type]
        )

    def to_json(self) -> dict[str, object]:
        return {
            "repo": self.repo,
            "commit": self.commit,
            "scope": list(self.scope),
            "split": self.split,
            "markers": list(self.markers),
            "files": self.files,
        }

    def counts(self) -> tuple[int, int]:
        """(labelled functions, traced functions)."""
        traced = sum(len(lab["traced"]) for lab in self.files.values())
        return traced + sum(len(lab["not_traced"]) for lab in self.files.values()), traced


def export(repo: str, commit: str, scope: Sequence[str], mirrors: Path, into: Path) -> Path:
    """``git archive COMMIT -- SCOPE`` of the local bare clone, with the packaging files (pyproject.toml, setup.cfg,
    setup.py) of the folders above each scope folder, as a checkout has them (they say which distribution the code is:
    advise/library.py), extracted once per commit under ``into``."""
    target = into / f"{repo.replace('/', '+')}-{commit[:12]}"
    marker = f"{commit} {EXPORT_VERSION}"
    if (target / ".exported").is_file() and (target / ".exported").read_text() == marker:
        return target
    shutil.rmtree(target, ignore_errors=True)
    git_dir = mirrors / repo.replace("/", "+") / "repo"
    if not git_dir.is_dir():
        raise SystemExit(f"placement_corpus: no bare clone of {repo} at {git_dir}")
    archive = subprocess.run(
        [
            "git",
            f"--git-dir={git_dir}",
            "archive",
            "--format=tar",
            commit,
            "--",
            *scope,
            *_packaging(git_dir, commit, scope),
        ],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise SystemExit(f"placement_corpus: git archive of {repo}@{commit}: {archive.stderr.decode().strip()}")
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    (target / ".exported").write_text(marker)
    return target


EXPORT_VERSION = "packaging"  # what an export holds besides the scope (an older export is made again)
_PACKAGING = ("pyproject.toml", "setup.cfg", "setup.py")


def _packaging(git_dir: Path, commit: str, scope: Sequence[str]) -> list[str]:
    """The packaging files at ``commit`` in the folders above the scope folders (the repository's root included)."""
    folders = {"."}
    for part in scope:
        parents = Path(part).parents
        folders.update(str(p) for p in parents)
    wanted = sorted({f"{f}/{name}" if f != "." else name for f in folders for name in _PACKAGING})
    listed = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "--name-only", commit, "--", *wanted],
        capture_output=True,
        text=True,
        check=False,
    )
    return listed.stdout.split() if listed.returncode == 0 else []


class _Unmark(ast.NodeTransformer):
    """Takes the project's own span helpers (the manifest's markers, the span helpers the analysis found) out of a
    copied function: decorators named so, ``with`` items calling one (their bodies kept), statements calling one."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def marker(self, node: ast.expr | None) -> bool:
        node = node.func if isinstance(node, ast.Call) else node
        name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
        return name in self.names

    def strip(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        node.decorator_list = [d for d in node.decorator_list if not self.marker(d)]
        self.generic_visit(node)
        node.body = node.body or [ast.Pass()]

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
        """A nested def: its span decorators go too (``@sentry_sdk.trace`` on a closure counts as its function's
        span), each read as the analysis reads a decorator (``written_spans`` of a def with that one alone)."""
        from trace_advisor.detect.existing import written_spans

        def spans(decorator: ast.expr) -> bool:
            alone = ast.FunctionDef(name="f", args=node.args, body=[ast.Pass()], decorator_list=[decorator])
            return self.marker(decorator) or written_spans(alone).any

        node.decorator_list = [d for d in node.decorator_list if not spans(d)]
        self.generic_visit(node)
        return node

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815

    def visit_With(self, node: ast.With | ast.AsyncWith) -> ast.AST | list[ast.stmt]:
        self.generic_visit(node)
        kept = [item for item in node.items if not self.marker(item.context_expr)]
        if len(kept) == len(node.items):
            return node
        if not kept:
            return node.body
        node.items = kept
        return node

    visit_AsyncWith = visit_With  # noqa: N815

    def visit_Expr(self, node: ast.Expr) -> ast.AST | None:
        return None if isinstance(node.value, ast.Call) and self.marker(node.value) else node

    def visit_Assign(self, node: ast.Assign) -> ast.AST | None:
        return None if isinstance(node.value, ast.Call) and self.marker(node.value) else node


# Words of a name that is the project's tracing machinery or switch: ``tracer``, ``opentelemetry.trace``,
# ``zuul.lib.tracing``, ``if self.tracing_enabled:``, ``TELEMETRY_ON`` (not "trace" or "span": data of observability
# products; a span's own name is caught as the name it was bound to)
TRACING_WORDS = frozenset(
    {"tracing", "tracer", "tracers", "telemetry", "otel", "opentelemetry", "opentracing", "ddtrace", "instrumented"}
)


def _words(text: str) -> frozenset[str]:
    """The words of the names in ``text`` (``startSpanInContext``: start, span, in, context; ``lifespan``: one)."""
    from trace_advisor.detect.branches import words

    return words(text)


def _tracing_name(text: str) -> bool:
    return bool(_words(text) & TRACING_WORDS)


def _spanning(call: ast.expr, helpers: frozenset[str]) -> bool:
    """A call that starts, restores or returns a span: its last name says so (``start_as_current_span``,
    ``startSpanInContext``, ``get_current_span``, ``use_span``) or is one of the project's span helpers."""
    if not isinstance(call, ast.Call):
        return False
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return "span" in _words(name) or name in helpers


def span_bindings(node: ast.FunctionDef | ast.AsyncFunctionDef, helpers: frozenset[str]) -> frozenset[str]:
    """The names a function binds to a span (``with tracer.start_as_current_span("x") as span``, ``parent_span =
    self.start_tracing_span(...)``, ``span = trace.get_current_span()``, a parameter ``parent_span: trace.Span``):
    once the span is taken out, what still uses them is tracing code left behind."""
    arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
    found = {
        a.arg
        for a in arguments
        if "span" in _words(a.arg) or a.annotation is not None and ast.unparse(a.annotation).endswith("Span")
    }
    for child in ast.walk(node):
        if isinstance(child, ast.With | ast.AsyncWith):
            for item in child.items:
                if _spanning(item.context_expr, helpers) and isinstance(item.optional_vars, ast.Name):
                    found.add(item.optional_vars.id)
        elif (
            isinstance(child, ast.Assign | ast.AnnAssign)
            and child.value is not None
            and _spanning(child.value, helpers)
        ):
            targets = child.targets if isinstance(child, ast.Assign) else [child.target]
            found.update(t.id for t in targets if isinstance(t, ast.Name))
    return frozenset(found)


_LOG_CALLS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print"})


class _Untrace:
    """Takes out of a function whose span was removed the tracing code that still tells where the span was:
    statements using a name the span was bound to (``span.set_attribute(...)`` once the ``with ... as span`` is gone,
    ``ctx = span.get_span_context()`` and then what is computed from ``ctx``; a span passed on to a call is dropped
    from its arguments, the call kept), and ``if`` statements deciding on the project's tracing switch (``if
    tracing_enabled:``, ``if self.tracer is None:``) or on the span (``if span.is_recording():``), each replaced by
    its ``else`` branch: the span code goes, and the untraced path is the code after it or in the ``else``. A span
    started as an argument (zuul's ``request._set(_span=self.tracer.start_span(...))``) is dropped from the call, and
    a call on a span kept in an attribute (``request._span.end()``) goes."""

    def __init__(self, freed: frozenset[str], helpers: frozenset[str] = frozenset()) -> None:
        self.freed = set(freed)
        self.helpers = helpers

    def strip(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        node.body = self._body(node.body) or [ast.Pass()]
        while True:  # values built for the span alone: ``span_attributes = {...}``, ``link = trace.Link(...)``
            read = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            if not self._unread(node, read):
                break
        args = node.args  # the span parameters go too: callers stripped with it no longer pass them
        positional = [*args.posonlyargs, *args.args]
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        kept = [(a, d) for a, d in zip(positional, defaults, strict=True) if a.arg not in self.freed]
        args.posonlyargs = [a for a, _ in kept if a in args.posonlyargs]
        args.args = [a for a, _ in kept if a in args.args]
        args.defaults = [d for _, d in kept if d is not None]
        kwonly = [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if a.arg not in self.freed]
        args.kwonlyargs, args.kw_defaults = [a for a, _ in kwonly], [d for _, d in kwonly]

    def uses(self, node: ast.AST) -> bool:
        return any(isinstance(n, ast.Name) and n.id in self.freed for n in ast.walk(node))

    def _freed_argument(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id in self.freed or _spanning(node, self.helpers)

    def _drop_arguments(self, stmt: ast.stmt) -> None:
        """``self.handle(event, span)`` -> ``self.handle(event)``: the span handed to a call that does more than
        report it (``tracing.getSpanContext(span)``, ``log.debug("in trace %s", trace_id)``: their statement goes
        whole)."""
        for call in ast.walk(stmt):
            if isinstance(call, ast.Call) and not self._reports(call):
                call.args = [a for a in call.args if not self._freed_argument(a)]
                call.keywords = [k for k in call.keywords if not self._freed_argument(k.value)]

    def _on_a_span(self, stmt: ast.stmt) -> bool:
        """``request._span.end()``, ``self._span.set_attribute(...)``: a call on a span held in an attribute."""
        if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
            return False
        func = stmt.value.func
        return (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Attribute)
            and "span" in _words(func.value.attr)
        )

    def _unread(self, node: ast.AST, read: set[str]) -> bool:
        """Takes out of every block under ``node`` the assignments to a local nothing reads whose name or value
        speaks of spans or tracing; whether any went."""
        changed = False
        for child in ast.walk(node):
            for field in ("body", "orelse", "finalbody"):
                block = getattr(child, field, None)
                if not isinstance(block, list) or not block or not isinstance(block[0], ast.stmt):
                    continue
                kept = [stmt for stmt in block if not self._unread_assignment(stmt, read)]
                if len(kept) < len(block):
                    changed = True
                    setattr(child, field, kept or ([ast.Pass()] if field == "body" else []))
        return changed

    @staticmethod
    def _unread_assignment(stmt: ast.stmt, read: set[str]) -> bool:
        if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            return False
        name = stmt.targets[0].id
        spoken = _words(name) | _words(ast.unparse(stmt.value))
        return name not in read and bool(spoken & (TRACING_WORDS | {"span", "spans"}))

    @staticmethod
    def _reports(call: ast.Call) -> bool:
        """A call that only reports the span: a tracing helper, or a log line."""
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        return name in _LOG_CALLS or _spanning(call, frozenset()) or _tracing_name(ast.unparse(func))

    def _body(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in body:
            out.extend(self._stmt(stmt))
        return out

    def _stmt(self, stmt: ast.stmt) -> list[ast.stmt]:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            stmt.body = self._body(stmt.body) or [ast.Pass()]  # a closure reporting to the span
            return [stmt]
        if isinstance(stmt, ast.ClassDef):
            return [stmt]
        if isinstance(stmt, ast.If) and (_tracing_name(ast.unparse(stmt.test)) or self.uses(stmt.test)):
            return self._body(stmt.orelse)
        if isinstance(stmt, ast.Expr | ast.Assign | ast.AugAssign | ast.AnnAssign):
            self._drop_arguments(stmt)
            if self._on_a_span(stmt):
                return []
            if not self.uses(stmt):
                return [stmt]
            targets = (
                stmt.targets if isinstance(stmt, ast.Assign) else [] if isinstance(stmt, ast.Expr) else [stmt.target]
            )
            for target in targets:  # what is computed from the span is tracing code too
                self.freed.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
            return []
        if isinstance(stmt, ast.Return) and stmt.value is not None:
            self._drop_arguments(stmt)
        if isinstance(stmt, ast.With | ast.AsyncWith):
            kept = [item for item in stmt.items if not self.uses(item.context_expr)]
            body = self._body(stmt.body)
            if not kept:
                return body
            stmt.items, stmt.body = kept, body or [ast.Pass()]
            return [stmt]
        for field in ("body", "orelse", "finalbody"):
            block = getattr(stmt, field, None)
            if isinstance(block, list):
                setattr(stmt, field, self._body(block))
        if isinstance(stmt, ast.If) and not stmt.body and not stmt.orelse:
            return []  # ``if task.span_context:`` around span code alone (its body emptied here or by _Unmark)
        if isinstance(getattr(stmt, "body", None), list) and not stmt.body:  # type: ignore[attr-defined]
            stmt.body = [ast.Pass()]  # type: ignore[attr-defined]
        if isinstance(stmt, ast.Try | ast.TryStar):
            for handler in stmt.handlers:
                handler.body = self._body(handler.body) or [ast.Pass()]
            if not stmt.handlers and not stmt.finalbody:
                return stmt.body  # only ``finally: span.end()`` was there
        if isinstance(stmt, ast.Match):
            for case in stmt.cases:
                case.body = self._body(case.body) or [ast.Pass()]
        return [stmt]


def without_tracing_setup(text: str, helpers: frozenset[str]) -> str:
    """``text`` without the setup code that was only there for spans no code starts any more: tracers nothing uses
    (``tracer = trace.get_tracer(__name__)``, a class's ``tracer = trace.get_tracer("zuul")``, ``self.tracer =
    get_tracer()`` in ``__init__``), then imports of tracing modules and span helpers nothing uses (``from
    opentelemetry import trace``, ``from zuul.lib import tracing``, ``from ._opentelemetry_tracing import
    create_trace_span``), at module level and in class and function bodies."""
    for _ in range(2):  # tracers first: their imports are unused once they are gone
        try:
            tree = parse_as_written(text)  # polar's ``except A, B:`` (Python 3.14) read as the engine reads it
        except SyntaxError:
            return text
        lines = text.splitlines(keepends=True)
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Store)}
        used |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Load)}
        edits: list[tuple[ast.stmt, str]] = []  # statement -> its new text ("" to remove it)
        scopes = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
        bodies = [tree.body, *(n.body for n in ast.walk(tree) if isinstance(n, scopes))]
        for body in bodies:
            dropped = []
            for stmt in body:
                new = _setup_statement(stmt, used, helpers)
                if new is not None and _alone_on_its_lines(stmt, lines):
                    dropped.append((stmt, new))
            if len([e for e in dropped if not e[1]]) < len(body):  # a body is never emptied
                edits.extend(dropped)
        if not edits:
            return text
        for stmt, new in sorted(edits, key=lambda e: e[0].lineno, reverse=True):
            indent = lines[stmt.lineno - 1][: stmt.col_offset]
            lines[stmt.lineno - 1 : stmt.end_lineno] = [indent + new + "\n"] if new else []
        text = "".join(lines)
    return text


def _setup_statement(stmt: ast.stmt, used: set[str], helpers: frozenset[str]) -> str | None:
    """The new text of a tracing setup statement nothing uses (``""``: removed), or None to keep it as it is."""
    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        targets = [
            t.id if isinstance(t, ast.Name) else t.attr
            for t in stmt.targets
            if isinstance(t, ast.Name) or isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
        ]  # ``tracer``, ``self.tracer``
        if name == "get_tracer" and len(targets) == len(stmt.targets) and not set(targets) & used:
            return ""
        return None
    if not isinstance(stmt, ast.Import | ast.ImportFrom):
        return None
    module = (stmt.module or "") if isinstance(stmt, ast.ImportFrom) else ""
    unused = [
        alias
        for alias in stmt.names
        if (alias.asname or alias.name.partition(".")[0]) not in used
        and (_tracing_name(f"{module} {alias.name}") or alias.name in helpers)
    ]
    if not unused:
        return None
    stmt.names = [alias for alias in stmt.names if alias not in unused]
    return ast.unparse(stmt) if stmt.names else ""


def _alone_on_its_lines(stmt: ast.stmt, lines: list[str]) -> bool:
    """Whether nothing but ``stmt`` (and comments) is written on its lines, so they can be rewritten whole."""
    before = lines[stmt.lineno - 1][: stmt.col_offset]
    after = lines[(stmt.end_lineno or stmt.lineno) - 1][stmt.end_col_offset :].strip()
    return not before.strip() and (not after or after.startswith("#"))


def untraced_text(engine: RepoEngine, path: Path, qualnames: frozenset[str], markers: frozenset[str]) -> str:
    """The text of ``path`` with the functions named in ``qualnames`` rewritten without their spans: the code the
    analysis scores for a traced function (:func:`trace_advisor.detect.existing.without_span`), less the project's
    marker helpers and span helpers and the tracing code they leave behind (:class:`_Untrace`); then without the
    tracers and tracing imports nothing uses any more (:func:`without_tracing_setup`). Other functions keep their
    text, so spans kept (``--keep``) keep their tracer."""
    from trace_advisor.analysed import AnalysedModule
    from trace_advisor.detect.context import FunctionContext
    from trace_advisor.detect.existing import existing_span, without_span
    from trace_advisor.detect.graph_facts import GraphFacts

    analysed = engine.index.analysed(path)
    if not isinstance(analysed, AnalysedModule):
        return path.read_text("utf-8", errors="replace")
    lines = analysed.text.splitlines(keepends=True)
    edits = []
    builder = engine.analyzer.builder
    helpers = set(markers)
    for function in analysed.functions():
        if function.symbol.partition(":")[2] not in qualnames:
            continue
        facts = builder.facts(function.symbol) if builder is not None else GraphFacts()
        ctx = FunctionContext(analysed, function, facts)
        own = markers | frozenset(h.rpartition(":")[2].rpartition(".")[2] for h in facts.span_helpers)
        helpers |= own
        node = without_span(ctx).node if existing_span(ctx) is not None else copy.deepcopy(function.node)
        _Unmark(own).strip(node)
        _Untrace(span_bindings(function.node, own), own).strip(node)
        first = min([function.node.lineno, *(d.lineno for d in function.node.decorator_list)])
        indent = lines[first - 1][: len(lines[first - 1]) - len(lines[first - 1].lstrip())]  # tabs stay tabs
        edits.append((first, function.node.end_lineno or first, indent, node))
    for first, last, indent, node in sorted(edits, key=lambda e: e[0], reverse=True):
        lines[first - 1 : last] = [textwrap.indent(ast.unparse(node), indent) + "\n"]
    text = without_tracing_setup("".join(lines), frozenset(helpers)) if edits else analysed.text
    try:
        parse_as_written(text)
    except SyntaxError as exc:
        raise SystemExit(f"placement_corpus: taking the spans out of {path} broke its syntax: {exc}") from exc
    return text


def unlabelled_spans(engine: RepoEngine, root: Path, labelled: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """(file, qualname) of the functions the analysis finds traced (``existing_span``, asked of those that start a
    span in their own code or that the engine's census counts) but the manifest does not label traced: spans in
    files it leaves out, or of an API it was not labelled with (Sentry's ``start_span`` in snuba). Tests, tracing
    plumbing and nested functions aside, as :func:`label` leaves them out."""
    from trace_advisor.analysed import AnalysedModule
    from trace_advisor.detect.context import FunctionContext
    from trace_advisor.detect.existing import existing_span, spans_in_facts, written_spans
    from trace_advisor.detect.graph_facts import GraphFacts

    known = set(labelled)
    found: set[tuple[str, str]] = set()
    for path in engine.index.files():
        relative = path.relative_to(root).as_posix()
        if any(word in relative.lower() for word in PLUMBING):
            continue
        analysed = engine.index.analysed(path)
        if not isinstance(analysed, AnalysedModule):
            continue
        counted = spans_in_facts(analysed.info.facts).traced  # the census's spans (a nested def's span decorator)
        for function in analysed.functions():
            qualname = function.symbol.partition(":")[2]
            if labellable(qualname) and not plumbing(qualname) and (relative, qualname) not in known:
                if qualname in counted or written_spans(function.node).any:
                    builder = engine.analyzer.builder
                    facts = builder.facts(function.symbol) if builder is not None else GraphFacts()
                    if existing_span(FunctionContext(analysed, function, facts)) is not None:
                        found.add((relative, qualname))
    return found


def partly_instrumented(entry: Repo, root: Path, engine: RepoEngine, keep: float, seed: int) -> tuple[Path, Repo]:
    """A copy of the exported repository ``root`` where only a seeded random ``keep`` share of the traced functions
    (labelled ones and :func:`unlabelled_spans`) still have their spans, and the entry relabelled to score only the
    labelled ones whose span was removed and the untraced functions. ``engine`` analyses the original."""
    labelled = [(name, q) for name, lab in entry.files.items() for q in lab["traced"]]
    traced = sorted({*labelled, *unlabelled_spans(engine, root, labelled)})
    kept = set(random.Random(f"{entry.repo}@{entry.commit}:{seed}").sample(traced, round(keep * len(traced))))
    target = root.with_name(f"{root.name}-keep{keep:g}-seed{seed}")
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(root, target)
    markers = frozenset(entry.markers)
    removed: dict[str, set[str]] = {}
    for name, qualname in traced:
        if (name, qualname) not in kept:
            removed.setdefault(name, set()).add(qualname)
    for name, qualnames in removed.items():
        (target / name).write_text(untraced_text(engine, root / name, frozenset(qualnames), markers), "utf-8")
    files: dict[str, dict[str, list[str]]] = {}
    carriers = span_carriers(root, entry)
    for name, lab in entry.files.items():
        gone = removed.get(name, set()) - carriers.get(name, frozenset())
        files[name] = {"traced": sorted(q for q in lab["traced"] if q in gone), "not_traced": list(lab["not_traced"])}
    relabelled = Repo(entry.repo, entry.commit, entry.scope, files, entry.split, entry.markers)
    return target, relabelled


def span_carriers(root: Path, entry: Repo) -> dict[str, frozenset[str]]:
    """Per file, the traced functions whose body is empty (``pass``, ``...``, a docstring): written only so that a
    tracing decorator has somewhere to record its arguments (pipecat's ``@traced_stt async def
    _handle_transcription(self, transcript, is_final, language): pass``). With the span taken out nothing is left of
    them to decide about (an abstract stub looks the same), so they are no label."""
    found: dict[str, frozenset[str]] = {}
    for name, lab in entry.files.items():
        if lab["traced"]:
            tree = parse_as_written((root / name).read_text("utf-8", errors="replace"))
            defs = list(_empty_defs(tree.body, ""))
            empty = frozenset(({q for q, e in defs if e} - {q for q, e in defs if not e}) & set(lab["traced"]))
            if empty:
                found[name] = empty
    return found


def _empty_defs(body: list[ast.stmt], prefix: str) -> Iterator[tuple[str, bool]]:
    """(qualname, whether its body is only ``pass``, ``...`` or a string) of every def, nested ones aside (a name
    defined more than once, ``@overload`` stubs and their implementation, is empty only if every def of it is)."""
    for stmt in body:
        if isinstance(stmt, ast.ClassDef):
            yield from _empty_defs(stmt.body, f"{prefix}{stmt.name}.")
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            yield (
                prefix + stmt.name,
                all(
                    isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
                    for s in stmt.body
                ),
            )


def own_spans_aside(
    verdicts: dict[str, tuple[float, bool, str | None]], labels: Mapping[str, Sequence[str]]
) -> dict[str, tuple[float, bool, str | None]]:
    """A file's verdicts without the unlabelled functions whose span is still in the copy: the project's own spans
    that stripping leaves (nested functions, and functions :func:`label` leaves out as tracing plumbing by their name,
    such as a tool's ``get_trace_event_details``), never scored, as the kept ones are not."""
    labelled = {*labels["traced"], *labels["not_traced"]}
    return {q: v for q, v in verdicts.items() if q in labelled or v[2] is None}


def keep_verdicts_of(
    repos: Sequence[Repo], mirrors: Path, scratch: Path, scoring: str, keep: float, seed: int, whole: bool = False
) -> tuple[list[Repo], Verdicts, int]:
    """The corpus with a ``keep`` share of each repository's spans (:func:`partly_instrumented`), relabelled, its
    verdicts, and how many functions whose span was removed the analysis still finds traced (0 when stripping
    worked); with ``whole``, every file without a span too (:func:`untraced_files`)."""
    relabelled: list[Repo] = []
    found: Verdicts = {}
    residual = 0
    for entry in repos:
        root = export(entry.repo, entry.commit, entry.scope, mirrors, scratch)
        target, scored = partly_instrumented(entry, root, RepoEngine(root, entry.scope, scoring), keep, seed)
        engine = RepoEngine(target, entry.scope, scoring)
        found[entry.repo] = {name: own_spans_aside(engine.verdicts(name), scored.files[name]) for name in scored.files}
        for name, lab in scored.files.items():
            residual += sum(found[entry.repo][name].get(q, (0, False, None))[2] is not None for q in lab["traced"])
        relabelled.append(untraced_files(scored, engine, found[entry.repo]) if whole else scored)
    return relabelled, found, residual


class RepoEngine:
    """The local engine over one exported repository (its scope folders are the workspace)."""

    def __init__(self, root: Path, scope: Sequence[str], scoring: str = "rules") -> None:
        from trace_advisor.analysis import Analyzer
        from trace_advisor.config import config_from_mapping
        from trace_advisor.index import Index

        self.root = root
        self.config = config_from_mapping({"scoring": scoring}, "placement_corpus")
        roots = [root / s for s in scope]
        self.index = Index.from_config(self.config, roots, use_cache=True)
        self.index.build()
        self.analyzer = Analyzer(self.index, self.config, self.index.graph())

    def verdicts(self, relative: str) -> dict[str, tuple[float, bool, str | None]]:
        """qualname -> (confidence, has a priority, existing span) of every function of one file (first def wins,
        ``@overload`` stubs aside)."""
        results, problem = self.analyzer.function_results(self.root / relative)
        if problem is not None:
            print(f"problem: {relative}: {problem.message}", file=sys.stderr)
        found: dict[str, tuple[float, bool, str | None]] = {}
        for result in results:
            if overload_stub(result.ctx.node):
                continue  # the label is the implementation's, which the stubs' qualname stands for too
            v = result.verdict
            found.setdefault(result.ctx.qualname, (v.confidence, v.priority is not None, v.traced))
        return found


def overload_stub(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A ``@typing.overload`` stub: a signature for type checkers, never run, so never a place for a span. It shares
    its qualname with the implementation, which the label names: read first, a stub (trivial, an empty body) stood for
    the implementation."""
    return any(
        (d.attr if isinstance(d, ast.Attribute) else d.id if isinstance(d, ast.Name) else "") == "overload"
        for d in node.decorator_list
    )


def labellable(qualname: str) -> bool:
    """Functions a maintainer decides about: not module bodies, nested defs or lambdas."""
    return "<" not in qualname


def predict(verdicts: Mapping[str, tuple[float, bool, str | None]], threshold: float) -> frozenset[str]:
    return frozenset(
        q for q, (confidence, has_priority, _) in verdicts.items() if has_priority and confidence >= threshold
    )


@dataclass
class Summary:
    """Micro (every labelled function counts once) and macro (every repository counts once) figures of a group."""

    micro: Score
    macro: dict[str, float]

    @classmethod
    def of(cls, scores: Sequence[Score]) -> Summary:
        micro = Score()
        for score in scores:
            micro.add(score)
        count = max(len(scores), 1)
        return cls(
            micro,
            {
                "precision": sum(s.precision for s in scores) / count,
                "recall": sum(s.recall for s in scores) / count,
                "f1": sum(s.f1 for s in scores) / count,
            },
        )

    def figures(self) -> dict[str, object]:
        return {"micro": self.micro.figures(), "macro": {k: round(v, 4) for k, v in self.macro.items()}}


@dataclass
class Row:
    """The corpus scored at one ``min_confidence``."""

    min_confidence: float
    repos: dict[str, Score]  # repository -> its score

    def summary(self, repos: Sequence[Repo]) -> Summary:
        return Summary.of([self.repos[r.repo] for r in repos])


def groups(repos: Sequence[Repo]) -> dict[str, list[Repo]]:
    """The whole corpus and each non-empty split, in a stable order."""
    found = {"all": list(repos)}
    for split in SPLITS:
        members = [r for r in repos if r.split == split]
        if members and len(members) < len(repos):
            found[split] = members
    return found


Verdicts = dict[str, dict[str, dict[str, tuple[float, bool, str | None]]]]  # repo -> file -> qualname -> verdict


def verdicts_of(
    repos: Sequence[Repo], mirrors: Path, scratch: Path, scoring: str, whole: bool = False
) -> tuple[list[Repo], Verdicts]:
    """Every labelled file's verdicts; with ``whole``, also those of every other file of the repository's scope (tests
    and tracing plumbing aside), whose functions are all labelled not traced (the corpus, with the repositories extended
    so)."""
    found: Verdicts = {}
    extended: list[Repo] = []
    for entry in repos:
        root = export(entry.repo, entry.commit, entry.scope, mirrors, scratch)
        engine = RepoEngine(root, entry.scope, scoring)
        found[entry.repo] = {name: engine.verdicts(name) for name in entry.files}
        if whole:
            entry = untraced_files(entry, engine, found[entry.repo])
        extended.append(entry)
    return extended, found


def untraced_files(
    entry: Repo, engine: RepoEngine, found: dict[str, dict[str, tuple[float, bool, str | None]]]
) -> Repo:
    """``entry`` with every file of its scope that has no span of its maintainers' (the labeller's rules: tests and
    tracing plumbing left out), its functions labelled not traced, and their verdicts added to ``found``. The manifest
    labels only files with a span, so a model fitted or scored there never sees the files a project leaves untraced,
    where a user's run spends most of its recommendations (a lone candidate in a file is almost always the file's
    traced function there, and almost never elsewhere)."""
    files = dict(entry.files)
    for path in sorted(engine.index.files()):
        relative = path.relative_to(engine.root).as_posix()
        if relative in files or any(word in relative.lower() for word in PLUMBING):
            continue
        verdicts = engine.verdicts(relative)
        names = sorted(q for q in verdicts if labellable(q) and not plumbing(q))
        if not names or any(verdicts[q][2] for q in verdicts) or marked(path, frozenset(entry.markers)):
            continue  # nothing to label, or spans the manifest leaves out (nested, plumbing, helpers)
        found[relative] = verdicts
        files[relative] = {"traced": [], "not_traced": names}
    return replace(entry, files=files)


def evaluate(repos: Sequence[Repo], verdicts: Verdicts, thresholds: Sequence[float]) -> list[Row]:
    """Per threshold, every repository's score."""
    rows = []
    for threshold in thresholds:
        repo_scores: dict[str, Score] = {}
        for entry in repos:
            predictions = {n: predict(v, threshold) for n, v in verdicts[entry.repo].items()}
            repo_scores[entry.repo] = score_all(entry.files, predictions)[0]
        rows.append(Row(threshold, repo_scores))
    return rows


def reliability(pairs: Iterable[tuple[float, bool]]) -> list[tuple[float, int, float, float]]:
    """Per tenth of confidence: (from, functions, mean confidence, share traced by their maintainers); for a
    calibrated scorer the last two agree."""
    bins: dict[int, list[tuple[float, bool]]] = {}
    for confidence, traced in pairs:
        bins.setdefault(min(int(confidence * 10), 9), []).append((confidence, traced))
    return [
        (b / 10, len(items), sum(c for c, _ in items) / len(items), sum(t for _, t in items) / len(items))
        for b, items in sorted(bins.items())
    ]


def labelled_confidences(repos: Sequence[Repo], verdicts: Verdicts) -> Iterator[tuple[float, bool]]:
    """(confidence, traced) of every labelled function the engine has evidence for."""
    for entry in repos:
        for name, label in entry.files.items():
            traced = set(label["traced"])
            for qualname in [*label["traced"], *label["not_traced"]]:
                confidence, has_priority, _ = verdicts[entry.repo][name].get(qualname, (0.0, False, None))
                if has_priority:
                    yield confidence, qualname in traced


PLUMBING = ("test", "telemetry", "tracing", "instrument", "observability")  # folders/files that build spans


def marked(path: Path, markers: frozenset[str]) -> set[str]:
    """Qualnames of the functions that use one of the project's own span helpers (a decorator or a call named in
    ``markers``, e.g. ``tracing_decorator``), which the existing-span detector does not know."""
    if not markers:
        return set()
    found: set[str] = set()

    def last_name(node: ast.expr) -> str:
        node = node.func if isinstance(node, ast.Call) else node
        return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                visit(stmt.body, f"{prefix}{stmt.name}.")
            elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                calls = [n for n in ast.walk(stmt) if isinstance(n, ast.Call)]
                if any(last_name(d) in markers for d in stmt.decorator_list) or any(
                    last_name(c) in markers for c in calls
                ):
                    found.add(prefix + stmt.name)

    visit(parse_as_written(path.read_text("utf-8", errors="replace")).body, "")  # as the engine reads newer syntax
    return found


def plumbing(name: str) -> bool:
    """Functions that are the tracing machinery themselves (``_create_tool_span``, ``Tracer.trace``)."""
    short = name.rsplit(".", 1)[-1].lower()
    return "span" in short or "trac" in short


def label(
    repo: str, commit: str, scope: Sequence[str], mirrors: Path, scratch: Path, markers: frozenset[str] = frozenset()
) -> Repo:
    """A manifest entry: every file under scope with a function that creates a span (tests and tracing plumbing left
    out), labelled by the existing-span detector (plus the project's own span helpers named in ``markers``): traced
    functions, and the file's other functions as not traced."""
    root = export(repo, commit, scope, mirrors, scratch)
    engine = RepoEngine(root, scope)
    files: dict[str, dict[str, list[str]]] = {}
    for path in engine.index.files():
        relative = path.relative_to(root).as_posix()
        if any(word in relative.lower() for word in PLUMBING):
            continue
        verdicts = engine.verdicts(relative)
        extra = marked(path, markers)
        names = [q for q in verdicts if labellable(q) and not plumbing(q)]
        traced = sorted(q for q in names if verdicts[q][2] or q in extra)
        if traced:
            files[relative] = {"traced": traced, "not_traced": sorted(set(names) - set(traced))}
    return Repo(repo, commit, tuple(scope), files)


def load_manifest(path: Path) -> list[Repo]:
    data = json.loads(path.read_text("utf-8"))
    return [Repo.from_json(r) for r in data["repos"]]


def devset_f1(threshold: float | None, scoring: str = "rules") -> float:
    labels = load_labels(DEFAULT_DEVSET)
    score, _ = score_all(labels, Engine(DEFAULT_DEVSET, scoring=scoring).predict(threshold))
    return score.f1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirrors", type=Path, required=True, help="folder of bare clones: <owner>+<name>/repo")
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "trace-advisor-corpus")
    parser.add_argument("--min-confidence", type=float, default=None)
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--split", choices=("all", *SPLITS), default="all", help="score only this split")
    parser.add_argument(
        "--scoring", choices=("rules", "calibrated"), default=None, help="the local engine's scorer (default: shipped)"
    )
    parser.add_argument(
        "--whole",
        action="store_true",
        help="also score every file without a span (its functions not traced): the repository as a user runs it",
    )
    parser.add_argument("--errors", action="store_true", help="list the dev repositories' false positives/negatives")
    parser.add_argument(
        "--keep", type=float, default=None, metavar="FRACTION", help="keep only this share of each repository's spans"
    )
    parser.add_argument("--seed", type=int, action="append", default=[], help="with --keep: a seed (repeatable)")
    parser.add_argument("--label", nargs="+", metavar="ARG", help="owner/name COMMIT SCOPE...: print a manifest entry")
    parser.add_argument("--marker", action="append", default=[], help="with --label: a project span helper's name")
    parser.add_argument("--label-split", choices=SPLITS, default="heldout", help="with --label: the entry's split")
    args = parser.parse_args(argv)
    if args.scoring is None:
        from trace_advisor.config import default_config

        args.scoring = default_config().scoring
    if args.label:
        repo, commit, *scope = args.label
        markers = frozenset(args.marker)
        entry = label(repo, commit, scope or ["."], args.mirrors, args.scratch, markers)
        entry.split, entry.markers = args.label_split, tuple(sorted(markers))
        print(json.dumps(entry.to_json(), indent=1))
        return 0

    from trace_advisor.config import config_from_mapping

    default = config_from_mapping({"scoring": args.scoring}, "placement_corpus").min_confidence
    threshold = default if args.min_confidence is None else args.min_confidence
    repos = [r for r in load_manifest(args.manifest) if args.split in ("all", r.split)]
    thresholds = SWEEP if args.sweep else (threshold,)
    if args.keep is not None:
        return partly(args, repos, threshold)
    repos, verdicts = verdicts_of(repos, args.mirrors, args.scratch, args.scoring, args.whole)
    rows = evaluate(repos, verdicts, thresholds)
    curve = reliability(labelled_confidences(repos, verdicts))
    dev = devset_f1(None if args.min_confidence is None else threshold, args.scoring)
    by_group = groups(repos)
    files = sum(len(r.files) for r in repos)
    functions = sum(r.counts()[0] for r in repos)
    traced = sum(r.counts()[1] for r in repos)
    baseline = Summary.of(
        [
            score_all(r.files, {n: frozenset([*lab["traced"], *lab["not_traced"]]) for n, lab in r.files.items()})[0]
            for r in repos
        ]
    )
    if args.json:
        print(
            json.dumps(
                {
                    "corpus": {
                        "repositories": len(repos),
                        "files": files,
                        "functions": functions,
                        "traced": traced,
                        "splits": {name: [r.repo for r in members] for name, members in by_group.items()},
                    },
                    "scoring": args.scoring,
                    "min_confidence": threshold,
                    "devset_f1": round(dev, 4),
                    "reliability": [
                        {"from": b, "functions": n, "confidence": round(c, 4), "traced": round(t, 4)}
                        for b, n, c, t in curve
                    ],
                    "baseline_every_function": baseline.figures(),
                    "rows": [
                        {
                            "min_confidence": row.min_confidence,
                            **{name: row.summary(members).figures() for name, members in by_group.items()},
                            "repos": {name: s.figures() for name, s in row.repos.items()},
                        }
                        for row in rows
                    ],
                },
                indent=2,
            )
        )
        return 0
    print(f"corpus: {len(repos)} repositories, {files} files, {functions} functions, {traced} traced by maintainers")
    print(f"splits: {', '.join(f'{name} {len(members)}' for name, members in by_group.items() if name != 'all')}")
    print(f"baseline (span every function): micro F1 {baseline.micro.f1:.3f}, macro F1 {baseline.macro['f1']:.3f}")
    print(f"scoring: {args.scoring}; dev set F1 at {threshold:.2f}: {dev:.3f}")
    print("reliability (labelled functions with evidence): confidence bin, functions, mean confidence, traced")
    for b, n, c, t in curve:
        print(f"  {b:.1f}-{b + 0.1:.1f} {n:6} {c:6.3f} {t:6.3f}")
    for name, members in by_group.items():
        print(f"\n[{name}: {len(members)} repositories]")
        print(
            f"{'min_conf':>8} {'micro P':>8} {'micro R':>8} {'micro F1':>9} "
            f"{'macro P':>8} {'macro R':>8} {'macro F1':>9}"
        )
        for row in rows:
            summary = row.summary(members)
            m, a = summary.micro, summary.macro
            print(
                f"{row.min_confidence:8.2f} {m.precision:8.3f} {m.recall:8.3f} {m.f1:9.3f} "
                f"{a['precision']:8.3f} {a['recall']:8.3f} {a['f1']:9.3f}"
            )
    if not args.sweep:
        row = rows[0]
        print(
            f"\n{'repository':40} {'split':>7} {'files':>5} {'funcs':>5} {'gold':>4} "
            f"{'tp':>4} {'fp':>4} {'fn':>4} {'F1':>6}"
        )
        for entry in repos:
            s = row.repos[entry.repo]
            funcs, gold = entry.counts()
            print(
                f"{entry.repo:40} {entry.split:>7} {len(entry.files):5} {funcs:5} {gold:4} "
                f"{s.tp:4} {s.fp:4} {s.fn:4} {s.f1:6.3f}"
            )
        if args.errors:  # held-out mistakes are never listed: reading them would make them dev data
            for entry in repos:
                if entry.split != "dev":
                    continue
                s = row.repos[entry.repo]
                for item in s.false_positives:
                    print(f"  + {entry.repo} {item}")
                for item in s.false_negatives:
                    print(f"  - {entry.repo} {item}")
    return 0


def partly(args: argparse.Namespace, repos: Sequence[Repo], threshold: float) -> int:
    """``--keep``: per seed, the corpus with that share of its spans kept, scored on the functions whose span was
    removed; micro and macro figures per group and seed, then their mean over the seeds."""
    seeds = args.seed or [1]
    by_group = groups(repos)
    figures: dict[str, list[Summary]] = {name: [] for name in by_group}
    per_seed = []
    scores: dict[int, dict[str, Score]] = {}
    for seed in seeds:
        relabelled, verdicts, residual = keep_verdicts_of(
            repos, args.mirrors, args.scratch, args.scoring, args.keep, seed, args.whole
        )
        row = evaluate(relabelled, verdicts, (threshold,))[0]
        scores[seed] = row.repos
        scored = sum(r.counts()[1] for r in relabelled)
        seed_figures = {}
        for name, members in by_group.items():
            summary = row.summary(members)
            figures[name].append(summary)
            seed_figures[name] = summary.figures()
        per_seed.append(
            {
                "seed": seed,
                "scored_traced": scored,
                "still_traced": residual,
                **seed_figures,
                "repos": {n: sc.figures() for n, sc in row.repos.items()},
            }
        )
    mean = {
        name: {
            "micro_f1": round(sum(s.micro.f1 for s in found) / len(found), 4),
            "macro_f1": round(sum(s.macro["f1"] for s in found) / len(found), 4),
        }
        for name, found in figures.items()
    }
    if args.json:
        print(
            json.dumps(
                {
                    "keep": args.keep,
                    "min_confidence": threshold,
                    "scoring": args.scoring,
                    "seeds": per_seed,
                    "mean": mean,
                },
                indent=2,
            )
        )
        return 0
    print(f"keep {args.keep:g} of each repository's spans; scoring {args.scoring} at {threshold:.2f}; seeds {seeds}")
    for found in per_seed:
        print(
            f"seed {found['seed']}: {found['scored_traced']} functions whose span was removed are scored"
            f" ({found['still_traced']} still found traced)"
        )
        for name in by_group:
            micro, macro = found[name]["micro"], found[name]["macro"]  # type: ignore[index]
            print(
                f"  {name:8} micro P {micro['precision']:.3f} R {micro['recall']:.3f} F1 {micro['f1']:.3f}"
                f"  macro F1 {macro['f1']:.3f}"
            )
    print("mean over seeds:")
    for name, values in mean.items():
        print(f"  {name:8} micro F1 {values['micro_f1']:.3f}  macro F1 {values['macro_f1']:.3f}")
    if args.errors:  # held-out mistakes are never listed: reading them would make them dev data
        for seed, repo_scores in scores.items():
            for entry in repos:
                if entry.split != "dev":
                    continue
                score = repo_scores[entry.repo]
                print(f"seed {seed} {entry.repo}: tp {score.tp} fp {score.fp} fn {score.fn} F1 {score.f1:.3f}")
                for item in score.false_positives:
                    print(f"  + {item}")
                for item in score.false_negatives:
                    print(f"  - {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
