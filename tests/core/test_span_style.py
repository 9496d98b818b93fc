"""Inserted span code keeps the project's own lint clean: imports in their isort/ruff section, the project's line
length, and ``ruff check --select I,E501`` reports nothing the original code did not already have."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from trace_advisor.edits.reflow import with_trailing_commas
from trace_advisor.project_style import ProjectStyle, read_project_style

from tests.support.cli import run_cli
from tests.support.span_cases import CASES, apply_plan, copy_case, read_text


def _ruff(root: Path, command: list[str], files: list[Path]) -> str:
    """``ruff <command> files`` run in ``root`` with the project's ruff settings when it has any: its output."""
    config = ["--config", str(root / "pyproject.toml")] if (root / "pyproject.toml").is_file() else ["--isolated"]
    done = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "--no-cache", *config, *(str(f) for f in files)],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=60,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def ruff_findings(root: Path, files: list[Path], select: str = "I,E501") -> list[tuple[str, str, str]]:
    """(file, rule, source line) for every finding of the ``select`` rules (import order and line length unless
    told), with the project's ruff settings when it has any."""
    output = _ruff(root, ["check", "--select", select, "--output-format", "json"], files)
    found = []
    for item in json.loads(output):
        path = Path(item["filename"])
        line = read_text(path)[0].splitlines()[item["location"]["row"] - 1]
        found.append((path.relative_to(root).as_posix(), item["code"], line.strip()))
    return sorted(found)


@pytest.mark.parametrize("case", CASES)
def test_edits_add_no_import_order_or_line_length_finding(case: str, tmp_path: Path) -> None:
    root = copy_case(case, tmp_path)
    files = sorted(root.rglob("*.py"))
    before = ruff_findings(root, files)
    original = {f.relative_to(root).as_posix(): {line.strip() for line in read_text(f)[0].splitlines()} for f in files}
    results = apply_plan(root, case)
    after = ruff_findings(root, files)
    new = [finding for finding in after if finding not in before]
    # inserted code never adds one; an existing line the with block indents past the limit gets a note
    assert [f for f in new if f[2] not in original[f[0]]] == []
    notes = [note for rel in results for result in results[rel] for note in result.notes]
    if new:
        assert any("longer than the project's line length" in note for note in notes), notes


def test_the_style_case_is_clean_and_wraps_long_lines(tmp_path: Path) -> None:
    root = copy_case("style", tmp_path)
    apply_plan(root, "style")
    assert ruff_findings(root, sorted(root.rglob("*.py"))) == []
    handlers = (root / "stylepkg" / "handlers.py").read_text()
    assert "            with tracer.start_as_current_span(\n" in handlers
    assert "                    span.set_status(\n" in handlers
    wrapped = [line for line in handlers.splitlines() if " " in line.strip()]  # a lone long string cannot wrap
    assert max(len(line) for line in wrapped) <= 79


PUSHED = """\
import json


def handle(session, url, params, timeout, payload):
    response = session.get(url, params=params, timeout=timeout, allow_redirects=False)
    values = [transform(item, options=params) for item in response.json()["items"] if x]
    nested = outer(inner_function(aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbb), cccccccc, d)
    checked = call_something(first_argument, second_argument, third)  # type: ignore[x]
    if not values:
        raise ValueError(f"the response to {url} had no items: {response.status_code}")
    return json.dumps({"values": values, "nested": nested, "checked": checked, "a": 1})
"""


def plain_span(
    tmp_path: Path, source: str, qualname: str, line_length: int, select: str
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """``source`` as ``app.py`` of a project of that line length, on which ruff's ``select`` rules find nothing, after
    ``apply --symbol qualname --plain``: the module and the run."""
    (tmp_path / "pyproject.toml").write_text(f"[tool.ruff]\nline-length = {line_length}\n")
    app = tmp_path / "app.py"
    app.write_text(source)
    assert ruff_findings(tmp_path, [app], select) == []
    done = run_cli("apply", "app.py", "--symbol", qualname, "--plain", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return app, done


def test_lines_the_span_pushes_past_the_line_length_are_wrapped_inside_their_brackets(tmp_path: Path) -> None:
    # every line fits in 88 columns as written; the with block moves the body 4 columns right
    app, done = plain_span(tmp_path, PUSHED, "handle", 88, "I,E501")
    edited = app.read_text()
    # the same code (positions aside), and ruff at the project's settings finds nothing (a line with a directive
    # comment is left whole: ruff does not count the directive)
    before, after = ast.parse(PUSHED).body[1], ast.parse(edited).body[-1]
    assert isinstance(after, ast.FunctionDef) and isinstance(after.body[0], ast.With)
    assert ast.dump(ast.Module(after.body[0].body, [])) == ast.dump(ast.Module(before.body, []))  # type: ignore[attr-defined]
    assert max(len(line) for line in edited.splitlines()) <= 120
    assert ruff_findings(tmp_path, [app]) == []  # ruff does not count a directive comment: that line is left whole
    assert "        checked = call_something(first_argument, second_argument, third)  # type: ignore[x]\n" in edited
    # laid out as the project's formatter would: ruff format finds nothing left to do
    call = "        response = session.get(\n            url, params=params, timeout=timeout, allow_redirects=False\n"
    assert call in edited
    assert '            raise ValueError(\n                f"the response to' in edited  # hanging after the bracket
    assert "        values = [\n            transform(item, options=params) for item in" in edited
    assert ruff_format_diff(tmp_path, [app]) == ""
    assert "longer than the project's line length" not in done.stderr


IN_A_TUPLE = """\
def check(query) -> tuple[bool, str]:
    if not query.exists():
        return (
            False,
            "Document custom fields do not match the configured custom field query",
        )
    return True, ""
"""


def test_a_long_string_in_a_collection_stays_whole(tmp_path: Path) -> None:
    # paperless-ngx's matching.py: the pushed string was cut into two adjacent pieces inside the returned tuple,
    # which ruff's ISC004 reads as a missing comma; a call's argument is still cut (implicit concatenation is fine)
    module, _ = plain_span(tmp_path, IN_A_TUPLE, "check", 84, "ISC,E501")
    edited = module.read_text()
    assert '                "Document custom fields do not match the configured custom field query",\n' in edited
    assert ruff_findings(tmp_path, [module], "ISC") == []


def ruff_format_diff(root: Path, files: list[Path]) -> str:
    """What ``ruff format`` (at the project's settings) would still change in ``files``: "" when nothing."""
    return _ruff(root, ["format", "--diff"], files)


# A module as a ruff-formatted FastAPI project writes it (120 columns, Python 3.10+): lines that fit as written until
# the span's block moves them four columns right
FORMATTED = """\
from django.shortcuts import get_object_or_404


def item_page_with_related(request, item_id: int, session, pagination, settings) -> tuple[list[int], int, int]:
    def model_count(model, *, filter_household: bool = True) -> int:
        return session.count(model, filter_household=filter_household)

    # We use the group here so we can return all recipes regardless of household. The query filter can include it here
    item = get_object_or_404(session.items, pk=item_id)
    if settings.default_household and settings.preferences and not settings.preferences.private_household_setting_xyz:
        raise ValueError(settings.message_for("mealplan.no-recipes-match-your-rules-extra"), item.explain_why(item_id))
    query = session.query(item_id)
    return query.limit(pagination.per_page).offset((pagination.page - 1) * pagination.per_page), 12345, model_count(1)
"""


def apply_to_formatted(tmp_path: Path, pyproject: str, source: str, qualname: str) -> str:
    """``apply --symbol qualname`` on ``source`` (formatted and clean at the ``pyproject`` settings), checking that
    ruff format and ruff then find nothing and that the function's body is the same inside the span: the edited
    text."""
    (tmp_path / "pyproject.toml").write_text(pyproject)
    app = tmp_path / "app.py"
    app.write_text(source)
    assert ruff_format_diff(tmp_path, [app]) == "" and ruff_findings(tmp_path, [app]) == []
    done = run_cli("apply", "app.py", "--symbol", qualname, "--plain", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert ruff_format_diff(tmp_path, [app]) == ""
    assert ruff_findings(tmp_path, [app]) == []
    edited = app.read_text()
    old, new = _function(source, qualname), _function(edited, qualname)
    assert isinstance(new.body[0], ast.With)
    assert ast.dump(ast.Module(new.body[0].body, [])) == ast.dump(ast.Module(old.body, []))
    return edited


def _function(source: str, qualname: str) -> ast.FunctionDef:
    body: list[ast.stmt] = ast.parse(source).body
    *owners, name = qualname.split(".")
    for owner in owners:
        body = next(n for n in body if isinstance(n, ast.ClassDef) and n.name == owner).body
    found = next(n for n in body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == name)
    return found  # type: ignore[return-value]


def test_apply_keeps_a_ruff_formatted_project_formatted(tmp_path: Path) -> None:
    pyproject = '[tool.ruff]\nline-length = 120\ntarget-version = "py310"\n'
    edited = apply_to_formatted(tmp_path, pyproject, FORMATTED, "item_page_with_related")
    # the 4xx guard's two context managers in parentheses (Python 3.9+), a blank line before the nested def, the
    # comment refilled, the condition's operands one per line, the returned tuple one element per line
    assert "    with (\n        tracer.start_as_current_span(" in edited
    assert "        _ErrorStatus(span),\n    ):" in edited


# The same, for a project on Python 3.8 (no parenthesized context managers) at 119 columns, as redash's black sets
FORMATTED_PY38 = """\
from flask import abort


class AlertResource:
    def post(self, alert_id, options, session):
        alert = session.get(alert_id) or abort(404)
        auth = session.basic_auth(options.get("username"), options.get("password")) if options.get("username") else 0
        session.save(alert, auth)
        return session.get(alert.query_id).latest_result(alert.options) if alert.query_id else alert.default_results
"""


def test_apply_keeps_a_python_38_project_formatted(tmp_path: Path) -> None:
    pyproject = '[tool.ruff]\nline-length = 119\ntarget-version = "py38"\n'
    edited = apply_to_formatted(tmp_path, pyproject, FORMATTED_PY38, "AlertResource.post")
    # the guard's items split inside the last one's call, as black and ruff do for Python 3.8; the conditional
    # expressions the indent pushed past the width in the parentheses the formatter adds
    assert "set_status_on_exception=False) as span, _ErrorStatus(\n            span\n        ):" in edited
    assert "auth = (\n" in edited and "return (\n" in edited


# Functions at and one under the project's max-complexity (3): recording an untyped parameter takes a type check
COMPLEX = """\
import urllib.request


def fetch(url, retries=3, label="page"):
    for _ in range(retries):
        if url:
            return urllib.request.urlopen(url).read()
    return None


def fetch_once(url, retries=3, label="page"):
    if not url:
        return None
    request = urllib.request.Request(url, headers={"X-Label": str(label)})
    with urllib.request.urlopen(request, timeout=retries) as answer:
        body = answer.read()
    with open("last-page", "wb") as out:
        out.write(body)
    return body
"""


def test_recorded_parameters_keep_the_function_within_the_projects_max_complexity(tmp_path: Path) -> None:
    config = '[tool.ruff.lint]\nextend-select = ["C90"]\n[tool.ruff.lint.mccabe]\nmax-complexity = 3\n'
    (tmp_path / "pyproject.toml").write_text(config)
    app = tmp_path / "app.py"
    app.write_text(COMPLEX)
    assert ruff_findings(tmp_path, [app], "C901") == []
    done = run_cli("apply", "app.py", "--all", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert ruff_findings(tmp_path, [app], "C901") == []
    edited = app.read_text()
    fetch, fetch_once = edited.split("def fetch_once")
    assert "isinstance(" not in fetch  # at the limit: no check, the parameters are not recorded, and it says so
    assert "'retries' is not recorded: its type check would exceed the project's max-complexity" in done.stderr
    assert fetch_once.count("isinstance(") == 1  # one under: one check


def test_the_max_complexity_is_read_from_ruff_or_flake8(tmp_path: Path) -> None:
    assert read_project_style(tmp_path).max_complexity is None
    (tmp_path / "pyproject.toml").write_text('[tool.ruff]\nselect = ["E", "C"]\n')
    assert read_project_style(tmp_path).max_complexity == 10  # ruff's default
    (tmp_path / "pyproject.toml").write_text('[tool.ruff]\nselect = ["C9"]\n[tool.ruff.mccabe]\nmax-complexity = 15\n')
    assert read_project_style(tmp_path).max_complexity == 15  # redash's settings
    (tmp_path / "pyproject.toml").write_text('[tool.ruff.lint]\nselect = ["ALL"]\nignore = ["C901"]\n')
    assert read_project_style(tmp_path).max_complexity is None
    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / "setup.cfg").write_text("[flake8]\nmax-complexity = 12\n")
    assert read_project_style(tmp_path).max_complexity == 12
    (tmp_path / "setup.cfg").write_text("[flake8]\nmax-complexity = -1\n")
    assert read_project_style(tmp_path).max_complexity is None


def test_project_style_is_read_from_the_projects_tools(tmp_path: Path) -> None:
    assert read_project_style(None) == ProjectStyle()
    (tmp_path / "setup.cfg").write_text("[flake8]\nmax-line-length = 100\n[isort]\nknown_first_party = app,lib\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    style = read_project_style(tmp_path)
    assert style.line_length == 100 and {"app", "lib"} <= style.first_party
    assert style.section("app.models") == 3 and style.section("json") == 1 and style.section("requests") == 2
    assert style.section("x", level=1) == 4 and style.section("__future__") == 0
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 110\n[tool.ruff]\nline-length = 120\n")
    assert read_project_style(tmp_path).line_length == 120  # ruff first: it is what `ruff check` enforces
    (tmp_path / "pyproject.toml").write_text("[tool.black\nbroken")
    assert read_project_style(tmp_path).line_length == 100  # a malformed file is skipped, never an error


FALLBACK_HEADER = """\
import json

try:
    from fastjson import dumps
except ImportError:

    def dumps(value):
        return json.dumps(value)


from json import loads


def handle(text):
    return dumps(loads(text))
"""


def test_the_tracer_goes_after_an_import_header_with_fallback_definitions(tmp_path: Path) -> None:
    # ``except ImportError: def dumps`` is still the import header for E402: the tracer goes after ``from json ...``
    app = tmp_path / "app.py"
    app.write_text(FALLBACK_HEADER)
    done = run_cli("apply", "app.py", "--symbol", "handle", "--plain", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    edited = app.read_text()
    assert edited.index("from json import loads") < edited.index("tracer = trace.get_tracer(__name__)")
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "--select", "E402,I", "app.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout


SINGLE_QUOTED = """\
import urllib.request


def fetch(url: str, retries: int) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.read()
    except OSError:
        if retries:
            return fetch(url, retries - 1)
        raise


def save(path: str, data: bytes) -> None:
    with open(path, 'wb') as out:
        out.write(data)
"""


@pytest.mark.parametrize(
    "config",
    [
        "[tool.ruff.format]\nquote-style = 'single'\n[tool.ruff.lint]\nextend-select = ['Q']\n"
        "[tool.ruff.lint.flake8-quotes]\ninline-quotes = 'single'\n",
        "[tool.ruff.lint]\nextend-select = ['Q']\n[tool.ruff.lint.flake8-quotes]\ninline-quotes = 'single'\n",
    ],
)
def test_a_single_quote_project_gets_single_quoted_span_code(config: str, tmp_path: Path) -> None:
    """arq (`quote-style = 'single'`, flake8-quotes): `apply --all` added 226 Q000 findings before."""
    (tmp_path / "pyproject.toml").write_text(config)
    app = tmp_path / "app.py"
    app.write_text(SINGLE_QUOTED)
    assert read_project_style(tmp_path).quote == "'"
    for form in ("with", "decorator"):
        app.write_text(SINGLE_QUOTED)
        done = run_cli("apply", app, "--all", "--form", form, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        edited = app.read_text()
        assert "start_as_current_span('fetch')" in edited and '"' not in edited
        assert ruff_findings(tmp_path, [app], "Q,I,E501") == []


def test_the_quote_follows_the_first_tool_that_says(tmp_path: Path) -> None:
    assert read_project_style(tmp_path).quote == '"'  # black's and ruff's default
    (tmp_path / "setup.cfg").write_text("[flake8]\ninline-quotes = '\n")
    assert read_project_style(tmp_path).quote == "'"
    (tmp_path / "pyproject.toml").write_text("[tool.ruff.format]\nquote-style = 'double'\n")
    assert read_project_style(tmp_path).quote == '"'  # ruff's formatter first


HAND_QUOTED = """\
import json


def handle_message(body: str, message: dict) -> None:
    routing_key = message['delivery_info']['routing_key']
    try:
        payload = json.loads(body)
    except ValueError:
        raise LookupError('bad body for %s' % routing_key)
    with open(payload['path'], 'a') as out:
        out.write(routing_key)
"""


@pytest.mark.parametrize(("config", "quote"), [("", "'"), ("[tool.black]\n", '"'), ("[tool.ruff.format]\n", '"')])
def test_without_a_quote_setting_span_code_is_quoted_as_the_file_is(config: str, quote: str, tmp_path: Path) -> None:
    """nameko writes single quotes by hand (no formatter, no flake8-quotes): the spans ``apply --all`` added were
    the only double-quoted strings of its files (118 -> 234 Q000 under flake8-quotes). A formatter normalising
    strings (black's and ruff's defaults) gives its own quote."""
    if config:
        (tmp_path / "pyproject.toml").write_text(config)
    app = tmp_path / "app.py"
    app.write_text(HAND_QUOTED)
    assert read_project_style(tmp_path).quote_set is bool(config)
    done = run_cli("apply", app, "--all", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    edited = app.read_text()
    assert f"start_as_current_span({quote}handle_message{quote})" in edited, edited
    if quote == "'":
        assert '"' not in edited


def test_the_4xx_status_helper_follows_the_projects_quote(tmp_path: Path) -> None:
    """The module-level ``_ErrorStatus`` class a web view's span enters is code we write too (its f-string)."""
    (tmp_path / "pyproject.toml").write_text(
        "[tool.ruff.lint]\nextend-select = ['Q']\n[tool.ruff.lint.flake8-quotes]\ninline-quotes = 'single'\n"
    )
    views = tmp_path / "views.py"
    views.write_text(
        "from werkzeug.exceptions import NotFound\n\nORDERS: dict[str, str] = {}\n\n\n"
        "def show(order_id: str) -> str:\n    if order_id not in ORDERS:\n        raise NotFound(order_id)\n"
        "    with open(ORDERS[order_id], encoding='utf-8') as stored:\n        return stored.read()\n"
    )
    done = run_cli("apply", views, "--symbol", "show", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    edited = views.read_text()
    assert "class _ErrorStatus" in edited and "f'{type(exc).__name__}: {exc}'" in edited
    assert ruff_findings(tmp_path, [views], "Q,I,E501") == []


AWAITED = """\
async def settle(wallet_id: str, tag: str, amount: int, conn: object, extra: dict):
    wallet = await check_wallet_for_payment(wallet_id, tag, amount, conn, extra, x=1)
    await send_payment_notification_in_background(wallet_id, wallet, conn=conn, x=12)
    return await calculate_fiat_amounts(amount / 1000, wallet, extra=extra, ok=12345)
"""


def test_an_awaited_call_the_span_pushes_past_the_line_length_is_laid_out_as_the_formatter_does(
    tmp_path: Path,
) -> None:
    edited = apply_to_formatted(tmp_path, "[tool.ruff]\nline-length = 88\n", AWAITED, "settle")
    assert "        wallet = await check_wallet_for_payment(\n            wallet_id, tag," in edited
    assert "        await send_payment_notification_in_background(\n            wallet_id," in edited
    assert "        return await calculate_fiat_amounts(\n            amount / 1000," in edited


TRAILING = """\
def select(rows, exclude_uncheckable: bool):
    if exclude_uncheckable:  # checkable means it has a checking id that is not internal
        rows = [row for row in rows if row]
    total = 0 + \\
        len(rows)  # rows counted after the filter above, the internal ones excluded too
    return rows, total
"""


def test_a_trailing_comment_pushed_past_the_limit_moves_above_its_code(tmp_path: Path) -> None:
    # lnbits' crud/payments.py: ``if exclude_uncheckable:  # checkable means...`` went past 88 columns (E501)
    module, _ = plain_span(tmp_path, TRAILING, "select", 88, "I,E501")
    edited = module.read_text()
    moved = "        # checkable means it has a checking id that is not internal\n        if exclude_uncheckable:\n"
    assert moved in edited, edited
    # after a backslash a comment line cannot go in between: that line stays as it is
    assert "            len(rows)  # rows counted after the filter above, the internal ones excluded too\n" in edited
    assert ruff_findings(tmp_path, [module], "E501") == [
        ("app.py", "E501", "len(rows)  # rows counted after the filter above, the internal ones excluded too")
    ]


def test_trailing_commas_of_the_layouts_split_over_lines() -> None:
    """``with_trailing_commas``: what ``ruff check --fix`` (COM812) then ``ruff format`` make of each shape."""
    unit = "    "
    cases = {
        # the items on one indented line: one per line, each with its comma
        ("    f(", '        "code.function.name", "shop.orders.place"', "    )"): [
            "    f(",
            '        "code.function.name",',
            '        "shop.orders.place",',
            "    )",
        ],
        # a lone argument laid out over lines: its closing bracket gets the comma, its own items too
        ("    f(", "        g(", "            a, b", "        )", "    )"): [
            "    f(",
            "        g(",
            "            a,",
            "            b,",
            "        ),",
            "    )",
        ],
        # a signature, a subscript of two items, a lambda's parameters, a nested comprehension
        ("    def m(", "        self, a: int, b: str", "    ) -> None:"): [
            "    def m(",
            "        self,",
            "        a: int,",
            "        b: str,",
            "    ) -> None:",
        ],
        ("    x: dict[", "        str, int", "    ] = {"): [
            "    x: dict[",
            "        str,",
            "        int,",
            "    ] = {",
        ],
        ("    m = map(", "        lambda a, b: a + b, pairs", "    )"): [
            "    m = map(",
            "        lambda a, b: a + b,",
            "        pairs,",
            "    )",
        ],
        ("    f(", "        1, [x for x, *_ in rows]", "    )"): [
            "    f(",
            "        1,",
            "        [x for x, *_ in rows],",
            "    )",
        ],
        # left alone: grouping parentheses, a one-item subscript, a bare generator, a comment after the item
        ("    return (", "        a if b else c", "    )"): None,
        ("    v = d[", "        key", "    ]"): None,
        ("    x = f(", "        y for y in z", "    )"): None,
        ("    f(", "        g(", "            a,", "        )  # why", "    )"): None,
    }
    for lines, expected in cases.items():
        assert with_trailing_commas(list(lines), unit) == (expected or list(lines)), lines


def test_a_single_quoted_string_holding_double_quotes_stays_whole_when_the_span_splits_it(tmp_path: Path) -> None:
    """netbox: a single-quoted string with ``href="{url}"`` inside, pushed past the line length by the span's indent
    and laid out again, had its inner ``"{url}"`` read as a string of its own and requoted: invalid code, refused."""
    (tmp_path / "pyproject.toml").write_text(
        "[tool.ruff]\nline-length = 60\n[tool.ruff.lint]\nextend-select = ['Q']\n"
        "[tool.ruff.lint.flake8-quotes]\ninline-quotes = 'single'\n"
    )
    app = tmp_path / "app.py"
    app.write_text(
        "import urllib.request\n\n\ndef fetch(url: str) -> str:\n"
        "    with urllib.request.urlopen(url, timeout=5) as answer:\n        body = answer.read()\n"
        "    return ('Found <a href=\"{url}\">{n} rows</a> already '\n"
        "            'mounted.').format(url=url, n=len(body))\n"
    )
    done = run_cli("apply", app, "--symbol", "fetch", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    edited = app.read_text()
    assert '<a href="{url}">{n} rows</a> ' in edited
    compile(edited, "app.py", "exec")
    assert ruff_findings(tmp_path, [app], "Q,E501") == []
