"""Linting files on disk, shared by ``trace-advisor lint`` and the agent server's ``lint_spans``: which files a path
names, each read in its own encoding, the mechanical fixes applied when asked (written atomically, refused when the
file changed meanwhile), and the findings as the JSON both answer with."""

from __future__ import annotations

import io
import tokenize
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from trace_advisor.cancel import NEVER, CancelToken
from trace_advisor.lint import RULES, LintFinding, LintOptions, Rule, fix_text, lint_text
from trace_advisor.span_files import write_if_unchanged
from trace_advisor.workspace import Workspace


@dataclass(frozen=True, slots=True)
class FileFinding:
    path: Path
    finding: LintFinding

    def to_json(self, display: Callable[[Path], str]) -> dict[str, object]:
        start = self.finding.range.start
        return {
            "file": display(self.path),
            "line": start.line,
            "column": start.column + 1,
            "rule": self.finding.rule,
            "message": self.finding.message,
            "fix": self.finding.fix.title if self.finding.fix else None,
        }


@dataclass(slots=True)
class LintRun:
    findings: list[FileFinding] = field(default_factory=list)
    fixed: int = 0  # fixes applied (``fix=True`` only)
    problems: list[tuple[Path, str]] = field(default_factory=list)  # files not read, not parsed or not written

    def to_json(self, display: Callable[[Path], str]) -> dict[str, object]:
        """``trace-advisor lint --format json``."""
        return {"findings": [f.to_json(display) for f in self.findings], "fixed": self.fixed}


def lint_targets(paths: Iterable[Path], ignore: Sequence[str]) -> list[Path]:
    """The Python files ``paths`` name (a folder's as the workspace discovers them, ``ignore`` applied), sorted."""
    files: list[Path] = []
    for path in paths:
        files.extend([path.resolve()] if path.is_file() else Workspace([path], ignore=ignore).discover())
    return sorted(dict.fromkeys(files))


def lint_files(
    files: Iterable[Path],
    options: LintOptions,
    rules: tuple[Rule, ...] = RULES,
    *,
    fix: bool = False,
    cancel: CancelToken = NEVER,
) -> LintRun:
    """Every file's findings (after its fixes, with ``fix``), in file then source order."""
    run = LintRun()
    for file in files:
        cancel.check()
        try:
            original = file.read_bytes()
            encoding, _ = tokenize.detect_encoding(io.BytesIO(original).readline)
            text = original.decode(encoding)
        except (OSError, SyntaxError, UnicodeDecodeError, LookupError) as exc:
            run.problems.append((file, f"cannot read ({exc})"))
            continue
        if fix:
            new_text, applied = fix_text(text, options)
            if applied:
                problem = write_if_unchanged(file, original, new_text.encode(encoding))
                if problem:
                    run.problems.append((file, problem))
                else:
                    run.fixed += applied
                    text = new_text
        result = lint_text(text, options, rules)
        if result.error:
            run.problems.append((file, result.error))
        run.findings.extend(FileFinding(file, finding) for finding in result.findings)
    return run
