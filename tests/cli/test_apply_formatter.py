"""``trace-advisor apply`` lays out the lines a span's indent pushes past the line length with the project's own
formatter when the project configures it and it is installed (here ruff, found on PATH): the result passes the
project's ``ruff format --check``. A function the formatter would change as it is (a project that does not format
that way) keeps its own layout, also beside one it leaves as it is in the same file; without the formatter the edit
keeps trace-advisor's own layout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.cli import run_cli

BIN = Path(sys.executable).parent  # the test environment's ruff
RUFF = str(BIN / "ruff")

CODES = """\
class CodeStore:
    def __init__(self, db):
        self.db = db

    def recovery_codes(self, user_id):
        user = self.db.get(user_id)
        stored = self.db.query(user).filter_by(kind=2).all()
        if not stored:
            raise LookupError(user_id)
        return stored
"""


def project(root: Path, code: str) -> Path:
    (root / "shop").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.ruff]\nline-length = 60\n", encoding="utf-8")
    (root / "shop" / "__init__.py").write_text("", encoding="utf-8")
    module = root / "shop" / "codes.py"
    module.write_text(code, encoding="utf-8")
    return module


def apply(module: Path, *, with_ruff: bool) -> str:
    path = os.pathsep.join([str(BIN), os.environ["PATH"]]) if with_ruff else "/usr/bin:/bin"
    env = {"PATH": path, "VIRTUAL_ENV": ""}
    done = run_cli("apply", module.name, "--symbol", "CodeStore.recovery_codes", cwd=module.parent, env=env)
    assert done.returncode == 0, done.stderr
    return module.read_text(encoding="utf-8")


def ruff_format_check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RUFF, "format", "--check", "--diff", "."], cwd=root, capture_output=True, text=True)


def test_the_projects_formatter_lays_out_the_pushed_lines(tmp_path: Path) -> None:
    module = project(tmp_path, CODES)
    assert ruff_format_check(tmp_path).returncode == 0  # the project is formatted
    text = apply(module, with_ruff=True)
    assert (
        "            stored = (\n                self.db.query(user).filter_by(kind=2).all()\n            )\n" in text
    )
    check = ruff_format_check(tmp_path)
    assert check.returncode == 0, check.stdout


def test_without_the_formatter_the_edit_keeps_its_own_layout(tmp_path: Path) -> None:
    """...and says so once: polar (ruff configured, not installed where apply looks) got 1,416 spans and 134 files
    that ``ruff format --check`` would lay out otherwise, with nothing telling why."""
    module = project(tmp_path, CODES)
    env = {"PATH": "/usr/bin:/bin", "VIRTUAL_ENV": ""}
    done = run_cli("apply", module.name, "--symbol", "CodeStore.recovery_codes", cwd=module.parent, env=env)
    assert done.returncode == 0, done.stderr
    text = module.read_text(encoding="utf-8")
    assert "with tracer.start_as_current_span(" in text
    assert "            stored = (\n" not in text  # trace-advisor's own break inside the brackets
    assert "note: the project configures ruff, which was not found" in done.stderr
    assert "run `ruff format` on the changed files" in done.stderr
    module.write_text(CODES, encoding="utf-8")
    path = os.pathsep.join([str(BIN), os.environ["PATH"]])
    env = {"PATH": path, "VIRTUAL_ENV": ""}
    done = run_cli("apply", module.name, "--symbol", "CodeStore.recovery_codes", cwd=module.parent, env=env)
    assert 'span "CodeStore.recovery_codes" added' in done.stderr and "was not found" not in done.stderr


def test_a_function_the_project_does_not_format_keeps_its_layout(tmp_path: Path) -> None:
    unformatted = CODES.replace("raise LookupError(user_id)", "raise LookupError( user_id )")
    module = project(tmp_path, unformatted)
    text = apply(module, with_ruff=True)
    assert "raise LookupError( user_id )" in text
    assert "            stored = (\n" not in text


def test_a_function_the_project_does_not_format_keeps_its_layout_beside_one_it_does(tmp_path: Path) -> None:
    # one run of the formatter over the whole file says which of its functions it leaves as they are
    twin = CODES.replace("class CodeStore:", "class OtherStore:").replace(
        "raise LookupError(user_id)", "raise KeyError( user_id )"
    )
    module = project(tmp_path, CODES + "\n\n" + twin)
    path = os.pathsep.join([str(BIN), os.environ["PATH"]])
    done = run_cli("apply", module.name, "--all", cwd=module.parent, env={"PATH": path, "VIRTUAL_ENV": ""})
    assert done.returncode == 0, done.stderr
    text = module.read_text(encoding="utf-8")
    assert "raise KeyError( user_id )" in text  # OtherStore's own layout: the formatter would change it
    formatted, own = text.split("class OtherStore:")
    assert (
        "            stored = (\n                self.db.query(user).filter_by(kind=2).all()\n            )\n"
        in formatted
    )
    assert "            stored = (\n" not in own


COMMAS = """\
import requests


class InvoiceClient:
    def fetch_invoice(self, invoice_id: int, region: str):
        url = "https://billing.example/invoices"
        got = requests.get(url, params={"id": invoice_id})
        return summarize(got.json(), region)


def summarize(data, region):
    return {"data": data, "region": region}
"""


def test_a_project_checking_trailing_commas_gets_them_in_split_lines(tmp_path: Path) -> None:
    # paperless-ngx selects flake8-commas (COM812): apply --all made 441 findings there, each a statement laid out
    # over lines without the comma after its last item (span attributes, the 4xx guard, pushed user code)
    for with_ruff in (False, True):
        root = tmp_path / ("formatter" if with_ruff else "own")
        (root / "shop").mkdir(parents=True)
        config = '[tool.ruff]\nline-length = 60\n[tool.ruff.lint]\nextend-select = ["COM"]\n'
        (root / "pyproject.toml").write_text(config, encoding="utf-8")
        (root / "shop" / "__init__.py").write_text("", encoding="utf-8")
        module = root / "shop" / "billing.py"
        module.write_text(COMMAS, encoding="utf-8")
        assert ruff_format_check(root).returncode == 0  # the project is formatted
        path = os.pathsep.join([str(BIN), os.environ["PATH"]]) if with_ruff else "/usr/bin:/bin"
        done = run_cli("apply", "billing.py", "--symbol", "InvoiceClient.fetch_invoice", cwd=module.parent,
                       env={"PATH": path, "VIRTUAL_ENV": ""})  # fmt: skip
        assert done.returncode == 0, done.stderr
        text = module.read_text(encoding="utf-8")
        compile(text, str(module), "exec")
        # one item per line, each with its comma: the span's own line and the line its indent pushed out
        assert '        with tracer.start_as_current_span(\n            "InvoiceClient.fetch_invoice",\n' in text, text
        assert '                url,\n                params={"id": invoice_id},\n            )' in text, text
        lint = subprocess.run(
            [RUFF, "check", "--no-fix", "--select", "COM812", "--output-format", "concise", "."],
            cwd=root,
            capture_output=True,
            text=True,
        )
        assert lint.returncode == 0, (with_ruff, lint.stdout, text)
        if with_ruff:
            assert ruff_format_check(root).returncode == 0, text


NESTED_DOCSTRING = '''\
class CodeStore:
    def __init__(self, db):
        self.db = db

    def recovery_codes(self, user_id):
        def rows():
            """
            The stored codes, one at a time
            """
            yield from self.db.query(user_id)

        stored = self.db.query(user_id).filter_by(k=2).all()
        return list(rows()) or stored
'''


def test_a_nested_docstring_the_formatter_indents_with_the_span_keeps_the_edit(tmp_path: Path) -> None:
    """The formatter re-indents the docstring of a function nested in the span (its text changes by whitespace that
    ``inspect.cleandoc`` and Python 3.13 remove): the edit is still the original body inside the span, not refused
    (paperless-ngx' ``DocumentClassifier.train``)."""
    module = project(tmp_path, NESTED_DOCSTRING)
    assert ruff_format_check(tmp_path).returncode == 0
    text = apply(module, with_ruff=True)
    assert '            def rows():\n                """\n                The stored codes, one at a time\n' in text
    check = ruff_format_check(tmp_path)
    assert check.returncode == 0, check.stdout


def test_a_nested_docstring_moves_with_its_code_without_the_formatter(tmp_path: Path) -> None:
    """With no formatter to run, the docstring of a function nested in the span moves with its code, as the
    formatter would re-indent it (CTFd's nested form classes: ``ruff format`` rewrote 7 files after ``apply --all``)."""
    module = project(tmp_path, NESTED_DOCSTRING.replace(".filter_by(k=2).all()", ".all()"))
    text = apply(module, with_ruff=False)
    assert '            def rows():\n                """\n                The stored codes, one at a time\n' in text
    check = ruff_format_check(tmp_path)
    assert check.returncode == 0, check.stdout


def applied_without_ruff(root: Path, name: str, code: str, *symbols: str) -> str:
    """``shop/<name>`` holding ``code`` (formatted for ruff at line length 64) after ``apply --symbol ...`` with no
    ruff to be found."""
    (root / "shop").mkdir()
    (root / "pyproject.toml").write_text("[tool.ruff]\nline-length = 64\n", encoding="utf-8")
    module = root / "shop" / name
    module.write_text(code, encoding="utf-8")
    assert ruff_format_check(root).returncode == 0
    env = {"PATH": "/usr/bin:/bin", "VIRTUAL_ENV": ""}
    names = [arg for symbol in symbols for arg in ("--symbol", symbol)]
    done = run_cli("apply", name, *names, cwd=module.parent, env=env)
    assert done.returncode == 0, done.stderr
    return module.read_text(encoding="utf-8")


SPLITS = """\
async def find(slug, session):
    found = await Repo.from_session(session).get_by_slug(slug)
    if found is None:
        raise LookupError(slug)
    return found


def render(request, customer):
    with tag.div(redirect=str(request.url_for(id=customer.id))):
        pass
    return customer


def detail(request, org_id):
    url = (
        str(
            request.url_for("org:details", organization=org_idx)
        )
        + "?section=account"
    )
    return url


def columns(table):
    return table.with_actions(
        Action(
            "Resend",
            lambda r, ident: str(r.url_for("send", id=ident)),
            target="#modal",
        ),
    )
"""


def test_without_the_formatter_a_split_bracket_closes_on_its_own_line(tmp_path: Path) -> None:
    """trace-advisor's own break after an opening bracket closes it on a line of its own, as ruff's formatter and black
    do (``get_by_slug(\\n    slug\\n)``): on polar (ruff configured, not installed) half of the 319 places
    ``ruff format --check`` would change were a closing bracket left after the last argument."""
    text = applied_without_ruff(tmp_path, "repo.py", SPLITS, "find", "render", "detail", "columns")
    assert "get_by_slug(\n            slug\n        )\n" in text
    assert "with tag.div(\n            redirect=str(request.url_for(id=customer.id))\n        ):\n" in text
    # a bracket to split opens a line of its own first, not after one of its items (an indent lined up after it)
    assert (
        '        request.url_for(\n                    "org:details", organization=org_idx\n                )\n' in text
    )
    # never between a lambda's parameters (``lambda r,\n ident: ...``)
    lambda_split = 'lambda r, ident: str(\n                    r.url_for("send", id=ident)\n                ),\n'
    assert f"                {lambda_split}" in text
    check = ruff_format_check(tmp_path)
    assert check.returncode == 0, check.stdout


SHAPES = """\
import json


def notify(status, errcode, install_id, profile):
    ctx = {"email": profile.email, "support": profile.help_url}
    kind = (
        Kind.SUCCESS_NOTICE if status == "up" else Kind.FAILURE
    )
    if errcode in (Codes.SSL_CONNECT_ERROR, Codes.VERIFY_FAIL):
        raise LookupError(errcode)
    url = f"https://api.example.com/install/{install_id}/tok"
    payload = json.dumps(
        {"service_key": profile.service_key, "account": profile}
    )
    return send(ctx, kind, url, payload)


async def member(repository, user_id, organization_id):
    membership = await repository.get_by_user_and_organization(
        user_id, organization_id
    )
    membership //= repository.weight_for_the_user_and_the_group(
        user_id
    )
    return membership


def rates(org, payout, gross, fees, refunds, payments):
    status_at = org.status_updated_at or org.created_at_stamp
    assert payout.amount == gross + fees.payout + fees.payment
    rate = (refunds / payments * 100) if payments > 0 else 0.00
    return status_at, rate


def search_box(tag, query):
    with tag.input(
        name="query",
        placeholder="Search by email, ID, external ID, or org",
        value=query or "",
    ):
        pass
    return tag


def note(tag, text):
    with tag.p(classes="text-sm"):
        text("This will create a manual payout account for th.")
    return tag
"""


def test_without_the_formatter_split_displays_and_conditionals_are_laid_out_as_it_would(tmp_path: Path) -> None:
    """healthchecks/healthchecks (formatted with ruff, no formatter configured): after `apply --all` without a
    formatter, 5 of its 91 edited files differed from black: a dict or tuple split with its items sharing a line and
    no trailing comma, a conditional expression split at its `else` only, a long string left past the line length
    where the formatter wraps it in parentheses. Each as black and ruff's formatter lay it out; and polar's
    `x = call(` over lines whose first line the indent pushes past the line length."""
    names = ("notify", "member", "rates", "search_box", "note")
    text = applied_without_ruff(tmp_path, "notify.py", SHAPES, *names)
    assert '        ctx = {\n            "email": profile.email,\n            "support": profile.help_url,\n' in text
    assert '            Kind.SUCCESS_NOTICE\n            if status == "up"\n            else Kind.FAILURE\n' in text
    assert "        if errcode in (\n            Codes.SSL_CONNECT_ERROR,\n            Codes.VERIFY_FAIL,\n" in text
    assert '        url = (\n            f"https://api.example.com/install/{install_id}/tok"\n        )\n' in text
    # polar: 46 of 180 places its `ruff format --check` would change: `x = call(` over lines, its first line pushed
    # past the line length, gets the value in parentheses the formatter adds
    wrapped = (
        "        membership = (\n            await repository.get_by_user_and_organization(\n"
        "                user_id, organization_id\n            )\n        )\n"
    )
    assert wrapped in text, text
    assert "        membership //= (\n            repository.weight_for_the_user_and_the_group(\n" in text
    # and an operator at the top of an assigned or asserted value, a conditional with parentheses in a part
    assert "        status_at = (\n            org.status_updated_at or org.created_at_stamp\n        )\n" in text
    assert "        assert (\n            payout.amount == gross + fees.payout + fees.payment\n        )\n" in text
    assert "        rate = (\n            (refunds / payments * 100) if payments > 0 else 0.00\n        )\n" in text
    # a string item split at its last space that fits: its rest at the item's indent (polar: 15 of 148 places)
    assert '            placeholder="Search by email, ID, external ID, or "\n            "org",\n' in text
    # and a bracket whose one string was split closes on its own line
    closed = '                "This will create a manual payout account for "\n                "th."\n            )\n'
    assert closed in text
    check = ruff_format_check(tmp_path)
    assert check.returncode == 0, check.stdout


GROUPED = """\
def check(member, logger):
    if member.sparse:
        return (
            False,
            (
                "archive not accepted: sparse members are not "
                "ok in an upload, see the documentation"
            ),
        )
    logger.warning(
        "archive member: %s",
        ("archive member", "longer than any sane size, okay"),
    )
    logger.info(
        f"archive member {member.name}: longer than any size",
        extra={"member": member},
    )
    details = {
        "code": "sparse",
        "description": "archive not accepted: sparse member",
    }
    return True, details
"""


def test_without_the_formatter_a_grouped_string_is_split_where_formatters_leave_it(tmp_path: Path) -> None:
    """pypi/warehouse (ruff configured at 88, not installed): after `apply --all` and `ruff format`, 11 lines were past
    the line length, 7 of them strings no formatter splits: pieces of a concatenation grouped in parentheses
    (`(\\n "..." \\n "..."\\n)`) and call arguments only their comma pushed past. Each is cut at its last space that
    fits, as two adjacent strings; a dict's string value goes in parentheses on a line of its own (the other 4). A
    string that is an item of a tuple stays whole (two adjacent strings there read as a missing comma: ruff's
    ISC004)."""
    text = applied_without_ruff(tmp_path, "archive.py", GROUPED, "check")
    assert '                    "archive not accepted: sparse members are "\n' in text
    assert '                    "not "\n                    "ok in an upload, see the documentation"\n' in text
    assert '                "longer than any sane size, okay",\n' in text
    # a string argument whose comma crosses the width; the piece with no field loses its `f` (ruff's F541)
    assert '            f"archive member {member.name}: longer than any "\n            "size",\n' in text
    # a dict's string value: in parentheses on a line of its own, as people write it (4 lines on warehouse)
    parenthesized = '"description": (\n                "archive not accepted: sparse member"\n            ),\n'
    assert f"            {parenthesized}" in text
    check = ruff_format_check(tmp_path)
    assert check.returncode == 0, check.stdout
    lint = subprocess.run(
        [RUFF, "check", "--select", "E501,ISC,F541", "--preview", "."], cwd=tmp_path, capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout


LAST_CALLS = """\
def sender(get_config, get_app_config, formataddr):
    mail_from = get_config("mails") or get_app_config("ADDR")
    return formataddr(("ctf", mail_from))


def requirements_of(entry, json, string_types):
    requirements = entry.get("requirements")
    if requirements and isinstance(requirements, string_types):
        return json.loads(requirements)
    return requirements
"""


def test_without_the_formatter_one_operator_ending_in_a_call_splits_that_call(tmp_path: Path) -> None:
    """CTFd (ruff configured, not installed): ``x = a or f("key")`` and ``if ok and isinstance(v, t):`` pushed past
    the line length were put in parentheses; ruff's formatter (as black) leaves those out when there is one operator
    and the line ends with a call whose bracket fits, and splits inside that call (5 files reformatted)."""
    text = applied_without_ruff(tmp_path, "mail.py", LAST_CALLS, "sender", "requirements_of")
    assert '        mail_from = get_config("mails") or get_app_config(\n' in text
    assert "        if requirements and isinstance(\n            requirements, string_types\n        ):\n" in text
    check = ruff_format_check(tmp_path)
    assert check.returncode == 0, check.stdout
