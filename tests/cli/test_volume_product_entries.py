"""The span-volume headline names the product's busiest entry point, not an example's when the product has one of its
own (stripe-python's headline was
"about 11 spans per request at examples.event_notification_webhook_handler:webhook", a Flask app in its examples)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli

SDK = """import httpx


class Client:
    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base)

    def create_charge(self, amount: int) -> dict:
        response = self.http.post("/charges", json={"amount": amount})
        response.raise_for_status()
        return response.json()

    def list_charges(self) -> list:
        found = []
        for page in range(3):
            response = self.http.get("/charges", params={"page": page})
            response.raise_for_status()
            found.extend(response.json())
        return found


def export_all(client: Client, path: str) -> int:
    charges = client.list_charges()
    with open(path, "w", encoding="utf-8") as out:
        out.writelines(f"{c['id']},{c['amount']}\\n" for c in charges)
    return len(charges)
"""
EXAMPLE = """from flask import Flask

from paysdk.client import Client

app = Flask(__name__)
client = Client("https://api.example.com")


@app.route("/webhook", methods=["POST"])
def webhook():
    for charge in client.list_charges():
        if charge["amount"] > 100:
            client.create_charge(charge["amount"])
    return "", 204
"""


def write_sdk_with_example(root: Path) -> None:
    (root / "paysdk").mkdir()
    (root / "paysdk" / "__init__.py").write_text("")
    (root / "paysdk" / "client.py").write_text(SDK)
    (root / "examples").mkdir()
    (root / "examples" / "webhook_app.py").write_text(EXAMPLE)


def test_the_headline_is_the_products_busiest_entry_point(tmp_path: Path) -> None:
    write_sdk_with_example(tmp_path)
    out = tmp_path / "report.json"
    # the examples are named, so they are analysed (by default analyses leave examples out)
    done = run_cli("analyze", tmp_path, tmp_path / "examples", "--no-cache", "-q", "--format", "json", "-o", out)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    recommended = {r["symbol"] for r in report["recommendations"]}
    assert "paysdk.client:Client.list_charges" in recommended
    volume = report["volume"]
    assert volume["entry"] == "paysdk.client:export_all", volume  # the SDK's own, per call
    assert volume["unit"] == "call"
    assert all(not u["entry"].startswith("examples.") for u in volume.get("by_unit", [])), volume


def test_a_public_function_only_examples_call_is_costed_per_call_of_itself(tmp_path: Path) -> None:
    """arq's ``Job.abort`` was "about 1 span per CLI run of `docs.examples.job_abort:main`": a docs example's run is
    no unit of the library; its API function is its own entry point, per call. What the product calls keeps its
    product figure (``list_charges`` through ``export_all``)."""
    write_sdk_with_example(tmp_path)
    out = tmp_path / "report.json"
    done = run_cli(
        "analyze",
        tmp_path,
        tmp_path / "examples",
        "--no-cache",
        "-q",
        "--format",
        "json",
        "-o",
        out,
        "--min-confidence",
        "0.01",
    )
    assert done.returncode == 0, done.stderr
    costs = {r["symbol"]: r["cost"] for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]}
    charge = costs["paysdk.client:Client.create_charge"]
    assert (charge["entry"], charge["unit"], charge["spans_per_request"]) == (
        "paysdk.client:Client.create_charge",
        "call",
        1.0,
    ), charge
    assert costs["paysdk.client:Client.list_charges"]["entry"] == "paysdk.client:export_all"
