"""``trace-advisor analyze``: recommend where spans belong in files or folders and write a report."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from trace_advisor.cli import common, observe
from trace_advisor.cli.summary import Summary
from trace_advisor.config_model import PRIORITY_NAMES, PROVIDER_NAMES, PROVIDERS, Config

if TYPE_CHECKING:
    from trace_advisor.advise.provider import Provider
    from trace_advisor.traces import Traces

EXIT_OK, EXIT_FINDINGS = 0, 1
FORMATS = ("json", "md", "sarif", "html")


def _format_name(value: str) -> str:
    """A format as typed: ``markdown`` is ``md`` (the name people type first)."""
    return "md" if value.lower() == "markdown" else value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="Python files or folders to analyse")
    parser.add_argument(
        "--format",
        action="append",
        type=_format_name,
        choices=FORMATS,
        help="report format (markdown: md); repeat it to pair one with each --output in order "
        "(default: from the output's extension, else report.format, md)",
    )
    parser.add_argument(
        "--output",
        "-o",
        action="append",
        type=Path,
        metavar="FILE",
        help="write the report here (default: stdout); repeat it for several reports from one analysis, "
        "e.g. -o report.html -o advice.sarif",
    )
    parser.add_argument(
        "--min-confidence", type=common.confidence, metavar="X", help="hide recommendations below X (0-1)"
    )
    parser.add_argument("--priorities", metavar="A,B", help=f"only these priorities ({', '.join(PRIORITY_NAMES)})")
    parser.add_argument("--changed-since", metavar="GIT_REF", help="only files changed since this git ref")
    parser.add_argument(
        "--fail-on",
        type=common.confidence,
        metavar="CONFIDENCE",
        help="exit 1 when a recommendation at or above CONFIDENCE exists (for CI)",
    )
    parser.add_argument(
        "--traces",
        nargs="+",
        action="extend",
        type=Path,
        metavar="FILE",
        help="OTLP JSON traces (Collector file exporter or OTLP/HTTP body; a folder: its .json/.jsonl files; a quoted"
        " glob) to check the recommendations against (default: the files of the `traces` setting)",
    )
    parser.add_argument("--provider", choices=PROVIDER_NAMES, help="where advice comes from")
    parser.add_argument("--model", metavar="ID", help="model id for --provider bedrock/openai")
    parser.add_argument("--template", type=Path, metavar="FILE", help="Jinja2 template for the md format")
    common.add_config_arguments(parser)
    observe.add_recording_arguments(parser)
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary")


class Progress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled and stream.isatty()
        self._last = -1

    def phase(self, label: str) -> Callable[[int, int], None]:
        def update(done: int, total: int) -> None:
            if not self.enabled or total <= 0:
                return
            percent = done * 100 // total
            if percent == self._last and done != total:
                return
            self._last = percent
            width = 30
            filled = width * done // total
            self.stream.write(f"\r{label:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} files")
            if done == total:
                self.stream.write("\r\033[K")
                self._last = -1
            self.stream.flush()

        return update


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    values: dict[str, object | None] = {
        "min_confidence": args.min_confidence,
        # paths on the command line are relative to the working directory (the loader would take the project root)
        "report.template": str(args.template.absolute()) if args.template else None,
        "provider.name": args.provider,
    }
    if args.model:
        kind = PROVIDERS.get(args.provider)
        if kind is None:
            raise common.UsageError(f"--model needs --provider {' or --provider '.join(PROVIDERS)}")
        values[f"provider.{args.provider}.{kind.model_field}"] = args.model
    return {k: v for k, v in values.items() if v is not None}


def _load_config(args: argparse.Namespace, project: Path, paths: Sequence[Path]) -> Config:
    from trace_advisor.request_config import RequestConfigError, only_priorities

    # tests, examples and docs are neither advice nor evidence: skipped unless a PATH names such code
    config = common.load_cli_config(args, project, _overrides(args), skipped=common.skipped_code(paths, project))
    if args.priorities:
        try:
            config = only_priorities(config, args.priorities.split(","))
        except RequestConfigError as exc:
            raise common.UsageError(str(exc)) from None
    return config


def _provider(config: Config, err: TextIO) -> Provider | None:
    if config.provider.name == "local":
        return None
    try:
        from trace_advisor.advise.providers import create_provider
    except ImportError as exc:
        err.write(f"trace-advisor: provider {config.provider.name} is not available ({exc}); using local\n")
        return None
    try:
        return create_provider(config)
    except ValueError as exc:  # ProviderConfigError: the message names the key to fix
        raise common.UsageError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    return common.run_reporting_usage_errors(lambda: _run(args, sys.stderr))


@dataclass(frozen=True, slots=True)
class Output:
    """One report of the run: a format and where it goes (None: stdout)."""

    format: str
    path: Path | None


# the report format a file name asks for, when no --format is paired with it
FORMAT_BY_SUFFIX = {".md": "md", ".markdown": "md", ".json": "json", ".sarif": "sarif", ".html": "html", ".htm": "html"}


def _outputs(args: argparse.Namespace, config: Config) -> list[Output]:
    """The reports to write: each ``-o`` with the ``--format`` in the same position, else its extension's format
    (one ``-o`` with an unknown extension takes ``report.format``); without ``-o``, ``report.output`` or stdout."""
    paths: list[Path] = [p.absolute() for p in args.output or ()]
    formats: list[str] = list(args.format or ())
    if not paths:
        if len(formats) > 1:
            raise common.UsageError("several --format values need one --output (-o) each")
        target = Path(config.report.output) if config.report.output else None
        if target is not None:
            _check_output(target, "report.output")
        return [Output(formats[0] if formats else config.report.format, target)]
    if len(formats) > len(paths):
        raise common.UsageError(f"{len(formats)} --format values for {len(paths)} --output files: pair them in order")
    if len(set(paths)) != len(paths):
        raise common.UsageError("the same --output file is given twice")
    outputs = []
    for number, path in enumerate(paths):
        fmt = formats[number] if number < len(formats) else FORMAT_BY_SUFFIX.get(path.suffix.lower())
        if fmt is None and len(paths) == 1:
            fmt = config.report.format
        if fmt is None:
            raise common.UsageError(
                f"cannot tell the report format of {path.name}: name it .md, .json, .sarif or .html, "
                "or pair a --format with it"
            )
        _check_output(path, "--output")
        outputs.append(Output(fmt, path))
    return outputs


def _check_output(output: Path, option: str) -> None:
    """Refuse, before any work, a report path that names a folder or lies under a file."""
    if output.is_dir():
        raise common.UsageError(f"{option} {output} is a folder: name a file (e.g. {output / 'report.md'})")
    for parent in output.parents:
        if parent.exists():
            if not parent.is_dir():
                raise common.UsageError(f"{option} {output}: {parent} is a file, not a folder")
            break


def _run(args: argparse.Namespace, err: TextIO) -> int:
    from trace_advisor import resolution_order
    from trace_advisor.analysis import analyze
    from trace_advisor.config import find_project_root
    from trace_advisor.lookup import is_under
    from trace_advisor.report import ReportError, render, validate_template, write_report
    from trace_advisor.volume import estimate_costs

    started = time.monotonic()
    common.check_paths(args.paths)
    traces = _read_traces(args.traces) if args.traces else None  # a bad trace file stops the run before any work
    paths = [p.resolve() for p in args.paths]
    config = _load_config(args, find_project_root(paths[0]), paths)
    outputs = _outputs(args, config)
    if any(o.format == "md" for o in outputs) and config.report.template:
        try:
            validate_template(Path(config.report.template))
        except ReportError as exc:
            raise common.UsageError(str(exc)) from None
    provider = _provider(config, err)
    changed = common.changed_files(args.changed_since, paths) if args.changed_since else None

    progress = Progress(err, not args.quiet)
    folders = sorted({p if p.is_dir() else p.parent for p in paths})
    roots = [f for f in folders if not any(f != other and f.is_relative_to(other) for other in folders)]
    index = common.open_index(config, roots, args, keep_trees=True)
    observed = observe.observed_graph(args, index, find_project_root(paths[0]), err)
    index.build(progress=progress.phase("indexing"))
    files = [f for f in index.files() if is_under(f.resolve(), paths) and (changed is None or f.resolve() in changed)]
    if files:
        # the whole graph resolved first, in one order whatever files are analysed: the last run's when nothing
        # changed since (resolution_order.py), else resolved here and kept for the next run
        if not index.reuse_resolved(resolution_order.ANALYSIS):
            resolution_order.resolve_for_analysis(index, progress=progress.phase("resolving"))
            index.keep_resolved(resolution_order.ANALYSIS)
    result = analyze(index, config, files, provider=provider, progress=progress.phase("analysing"))
    skipped = common.workspace_problems(index, result.problems)
    result = dataclasses.replace(result, problems=(*skipped, *result.problems))
    result = estimate_costs(result, index, config)
    if traces is not None or config.traces:  # --traces, else the setting
        from trace_advisor.traces import with_traces

        result = with_traces(result, index, config, traces, files)
    texts = []
    try:
        for output in outputs:  # every report rendered before any is written: a bad template writes none
            texts.append(render(result, output.format, graph=index.graph(), config=config, observed=observed))
    except ReportError as exc:
        raise common.UsageError(str(exc)) from None
    for output, text in zip(outputs, texts, strict=True):
        if output.path is not None:
            try:
                write_report(text, output.path)
            except OSError as exc:
                raise common.UsageError(f"cannot write the report to {output.path}: {exc.strerror or exc}") from None
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            sys.stdout.flush()
    common.print_problems(result.problems, err)
    if not args.quiet:
        written = [o.path for o in outputs if o.path is not None]
        show_top = bool(written) or not sys.stdout.isatty()
        summary = Summary(result, len(files), time.monotonic() - started, written, show_top)
        err.write(summary.text(config, Path.cwd()))
    if args.fail_on is not None and any(r.confidence >= args.fail_on for r in result.recommendations):
        return EXIT_FINDINGS
    return EXIT_OK


def _read_traces(paths: Sequence[Path]) -> Traces:
    from trace_advisor.traces import TraceFileError, read_trace_files

    try:
        return read_trace_files(paths)
    except TraceFileError as exc:
        raise common.UsageError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``analyze`` alone (``python -m trace_advisor.cli.analyze_cmd``), without the other subcommands."""
    parser = argparse.ArgumentParser(prog="trace-advisor analyze", description=__doc__)
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except KeyboardInterrupt:
        sys.stderr.write("trace-advisor: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
