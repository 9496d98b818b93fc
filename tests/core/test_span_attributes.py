"""Attribute safety of inserted spans, run under the OpenTelemetry SDK (tests/fixtures/spans/secrets).

The plan asks for every parameter of functions that take headers, cookies, tokens, API keys, passwords, DSNs and
URLs with passwords, key and certificate paths, personal data and templates, plus model-style expressions reading
them. Planted secrets go into every one of those; no span or event attribute may contain one, while the safe
scalars beside them are recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from trace_advisor.attribute_safety import AttributePolicy, name_words, parameter_kind
from trace_advisor.config_model import SpansConfig
from trace_advisor.datatypes import Capture
from trace_advisor.edits import SpanEditor, apply_edits
from trace_advisor.edits.style import SpanOrigin, SpanStyle

from tests.support.span_cases import SPANS, read_text

SECRET = "PLANTED-s3cr3t-7f3a9c"
Load = Callable[..., list[ModuleType]]


def exercise(client: ModuleType) -> None:
    """Call every function of the fixture with the planted secret in every sensitive position."""
    jar = client.CookieJar()
    jar.set("sessionid", SECRET, path=f"/{SECRET}", secure=True)
    client.request(
        "GET",
        f"https://user:{SECRET}@api.example.com/items?token={SECRET}",
        headers={"Authorization": f"Bearer {SECRET}", "Cookie": f"sid={SECRET}"},
        params={"api_key": SECRET},
        cookies={"session": SECRET},
        auth=SECRET,
        timeout=2.5,
        verify=f"/etc/{SECRET}/ca.pem",
        cert=(f"/keys/{SECRET}.pem", f"/keys/{SECRET}.key"),
    )
    client.request("POST", f"https://{SECRET}@h/", verify=False)
    client.login(f"{SECRET}@example.com", SECRET, otp=SECRET, remember=True)
    client.connect(f"postgresql://app:{SECRET}@db/orders", pool_size=7)
    client.call_api(f"/v1/{SECRET}", SECRET, apiKey=SECRET, x_auth_token=SECRET, page=2)
    client.render_template_string("Hello {name} " + SECRET, name=SECRET)
    client.flash(f"Your reset code is {SECRET}", category="warning")
    client.send_email(f"{SECRET}@example.com", f"Re: {SECRET}", SECRET, priority=1)
    client.charge_card(SECRET, SECRET, 12.5, currency="USD")
    client.store_profile(42, f"{SECRET}@x.org", SECRET, SECRET, SECRET, "gold")
    client.load_key(f"/k/{SECRET}.key", f"/k/{SECRET}.crt", private_key_password=SECRET)
    client.sign(SECRET.encode(), SECRET, SECRET, SECRET, algorithm="RS256")


def test_no_planted_secret_reaches_any_attribute(instrumented: Load, span_exporter: InMemorySpanExporter) -> None:
    (client,) = instrumented("secrets", "vault.client")
    span_exporter.clear()
    exercise(client)
    spans = span_exporter.get_finished_spans()
    assert len(spans) == 13
    leaks = [
        (span.name, key, value)
        for span in spans
        for attributes in (span.attributes or {}, *(event.attributes or {} for event in span.events))
        for key, value in attributes.items()
        if SECRET in str(value)
    ]
    assert leaks == []
    recorded = {span.name: dict(span.attributes or {}) for span in spans}
    requests = [
        {key: value for key, value in (span.attributes or {}).items() if not key.startswith("code.")}
        for span in spans
        if span.name == "request"
    ]
    assert requests == [
        {"http.request.method": "GET", "timeout": 2.5, "retries": 3},  # verify was a path: not a bool, not recorded
        {"http.request.method": "POST", "timeout": 10.0, "verify": False, "retries": 3},
    ]
    assert {k: v for k, v in recorded["login"].items() if not k.startswith("code.")} == {"remember": True}
    assert recorded["connect"]["db.system.name"] == "postgresql" and recorded["connect"]["pool_size"] == 7
    assert recorded["charge_card"]["amount"] == 12.5 and recorded["charge_card"]["currency"] == "USD"
    assert recorded["store_profile"]["user_id"] == 42 and recorded["store_profile"]["tier"] == "gold"
    assert recorded["sign"]["algorithm"] == "RS256" and "app.signed" not in recorded["sign"]
    assert recorded["flash"]["category"] == "warning" and recorded["send_email"]["priority"] == 1
    assert {"code.function.name", "code.file.path", "code.line.number"} <= set(recorded["CookieJar.set"])
    assert recorded["CookieJar.set"]["code.function.name"] == "vault.client.CookieJar.set"


def test_every_refusal_is_explained() -> None:
    text, _ = read_text(SPANS / "secrets" / "vault" / "client.py")
    editor = SpanEditor(text, origin=SpanOrigin("vault.client", "vault/client.py"))
    capture = Capture(parameters=("method", "url", "headers", "params", "cookies", "auth", "verify", "cert"))
    result = editor.edits("request", capture)
    notes = " | ".join(result.notes)
    for fragment in (
        "'url' is not recorded: payload (url)",
        "'headers' is not recorded: payload (headers)",
        "'params' is not recorded: payload (params)",
        "'cookies' is not recorded: sensitive name (cookie)",
        "'auth' is not recorded: sensitive name (auth)",
        "'cert' is not recorded: sensitive name (cert)",
    ):
        assert fragment in notes
    edited = apply_edits(text, result.edits)
    assert "str(" not in edited.split("def request(", 1)[1].split("def login", 1)[0]
    assert "if isinstance(verify, bool):" in edited  # an unannotated literal default: checked at run time

    jar = editor.edits("CookieJar.set", Capture(parameters=("name", "value")))
    assert any("'value' is not recorded: sensitive: the value of a function about cookie" in n for n in jar.notes)


def test_configured_names_extend_the_built_in_list(tmp_path: object) -> None:
    text = "def enroll(badge_number: str, tenant: str, token: str) -> None:\n    print(badge_number)\n"
    style = SpanStyle(SpansConfig(sensitive_names=("badge number",)))
    edited = apply_edits(
        text, SpanEditor(text, style=style).edits("enroll", Capture(("badge_number", "tenant", "token"))).edits
    )
    assert '"tenant", tenant' in edited and "badge_number)" not in edited.split("with", 1)[1].split("print")[0]
    assert "token" not in edited.split("with", 1)[1].split("print")[0]  # built-in words stay


def test_name_words_and_sensitive_matching() -> None:
    assert name_words("X-Api-Key") == ("x", "api", "key")
    assert name_words("clientCertPath") == ("client", "cert", "path")
    assert name_words("HTTPHeaders") == ("http", "headers")
    policy = AttributePolicy()
    sensitive = ["api_key", "apiKey", "Authorization", "access_token", "accesstoken", "db_password", "passwd",
                 "session", "csrf_token", "first_name", "userEmail", "phone", "card_number", "ssn", "otp", "pin",
                 "client_secret", "private_key", "signature", "cookies", "credentials", "cert_file"]  # fmt: skip
    payload = ["body", "headers", "template_source", "message", "url", "query_params", "request", "json_data",
               "incident_title", "summary", "file_path", "message_body", "document_number", "id_document",
               "request_ids_text", "file_name", "attachment_name"]  # fmt: skip
    safe = ["order_id", "retries", "timeout", "method", "author", "author_id", "monkey", "shipping", "keyword",
            "queue_name", "region", "page_size", "tokenizer_kind", "country",
            # about a payload, not the payload: its identifier, size, count, type (paperless' ``document_id: int``)
            "document_id", "message_id", "request_id", "file_size", "row_count", "event_type", "body_length",
            "messageId", "item_index", "attachment_total",
            # a name of something configured, a measure, a model's token count (mcp-agent's attributes)
            "prompt_name", "template_name", "read_timeout_seconds", "max_tokens", "gen_ai.usage.input_tokens",
            "tokens_used"]  # fmt: skip
    assert [n for n in sensitive if policy.sensitive(n) is None] == []
    assert [n for n in payload if policy.refusal(n) is None] == []
    assert [n for n in safe if policy.refusal(n) is not None] == ["tokenizer_kind"]  # an infix match: conservative
    assert policy.refusal("value", "vault.client.CookieJar.set") is not None  # a cookie's value
    assert policy.refusal("string", "httpx._urlparse.quote") is not None  # says nothing of what it holds
    assert policy.refusal("code", "verify_otp") is not None and policy.refusal("code", "exit_with") is None
    assert AttributePolicy(("tenant id",)).sensitive("tenantId") == "tenant id"


def test_scalar_kinds_from_annotations_and_defaults() -> None:
    import ast

    def kind(source: str) -> object:
        fn = ast.parse(f"def f({source}): pass").body[0]
        assert isinstance(fn, ast.FunctionDef)
        args = fn.args
        default = args.defaults[-1] if args.defaults else None
        return parameter_kind(args.args[0].annotation, default)

    assert kind("x: int") is not None and kind("x: 'list[str]'") is not None and kind("x: tuple[int, ...]") is not None
    assert kind("x: Optional[str]").optional and kind("x: float | None = None").optional  # type: ignore[attr-defined]
    assert kind("x=3").check == "int" and kind("x=True").check == "bool" and kind("x=1.5").check == "(int, float)"  # type: ignore[attr-defined]
    assert kind("x: dict[str, str]") is None and kind("x: Request") is None and kind("x") is None
    assert kind("x=None") is None and kind("x: tuple[int, str]") is None and kind("x: bytes") is None


def test_line_numbers_of_spans_below_move_with_the_code() -> None:
    text, _ = read_text(SPANS / "secrets" / "vault" / "client.py")
    origin = SpanOrigin("vault.client", "vault/client.py")
    lower = apply_edits(text, SpanEditor(text, origin=origin).edits("sign", Capture(("algorithm",))).edits)
    both = SpanEditor(lower, origin=origin).edits("connect", Capture(("pool_size",)))
    assert len(both.edits) == 2  # the span above, and the literal below moved by the lines it adds
    edited = apply_edits(lower, both.edits)
    lines = edited.splitlines()
    for function in ("connect", "sign"):
        number = next(line for line in lines if f'"vault.client.{function}"' in line)
        literal = lines[lines.index(number) + 2]
        assert lines[int(literal.split(", ")[1].rstrip(")")) - 1].startswith(f"def {function}(")
