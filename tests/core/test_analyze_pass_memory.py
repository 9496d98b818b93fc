"""What a one-shot ``analyze`` (an index keeping every file's syntax tree, ``keep_trees``) holds per file once its run
is over: each file's text and lines once, shared by its analysed module and the analysis' look at callees, and each
function context's loop depths only for the nodes inside a loop. On twilio (788 files) the second copies and the
depth of every node were 100 MB of the 1.1 GB peak."""

from __future__ import annotations

from pathlib import Path

import pytest
from trace_advisor.analysed import AnalysedModule
from trace_advisor.analysis import Analyzer
from trace_advisor.cancel import NEVER
from trace_advisor.config import config_from_mapping
from trace_advisor.detect.names import walk_body_depth
from trace_advisor.index import Index


@pytest.fixture(scope="module")
def run(examples_dir: Path) -> tuple[Index, Analyzer, list[Path]]:
    config = config_from_mapping({}, "test_analyze_pass_memory")
    index = Index.from_config(config, [examples_dir], use_cache=False, keep_trees=True)
    index.build()
    analyzer = Analyzer(index, config, index.graph())
    files = list(index.files())
    recs, _, done = analyzer.run(files, NEVER, None)
    assert recs and done == len(files) > 5
    return index, analyzer, files


def test_each_file_text_and_lines_are_held_once(run: tuple[Index, Analyzer, list[Path]]) -> None:
    index, analyzer, files = run
    for path in files:
        analysed = index.analysed(path)
        assert isinstance(analysed, AnalysedModule)
        # the analysed module's text is the one its tree was parsed from when the index read the file
        assert index._trees.kept_text(path, analysed.text) is analysed.text
        looked = analyzer._source_lines(path)  # read at the start of the run, before the module was analysed
        assert looked is not None and looked == analysed.text.split("\n")
        assert all(mine is theirs for mine, theirs in zip(looked, analysed.lines, strict=False)), path


def test_contexts_keep_loop_depths_only_inside_loops(run: tuple[Index, Analyzer, list[Path]]) -> None:
    _, analyzer, _ = run
    contexts = list(analyzer._contexts.values())
    assert len(contexts) > 20
    looping = 0
    for ctx in contexts:
        # a depth per node walked, the last walk's for a node the parser shares (``ast.Load()``)
        every = {id(node): depth for node, depth in walk_body_depth(ctx.node)}
        assert all(ctx.loop_depth(node) == every[id(node)] for node in ctx.nodes), ctx.symbol
        inside = sum(1 for depth in every.values() if depth)
        looping += bool(inside)
        assert len(ctx._loops) == inside < len(every), ctx.symbol
    assert looping  # the depths are still there where there is a loop
