""" "Heavy computation" is evidence only for work a heavy library does, not for reading what it already computed
(``df.dtypes.items()``, ``arr.tolist()``): ``trace-advisor analyze`` as a subprocess."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

FRAMES = """\
import pandas as pd


def column_types(df: pd.DataFrame) -> dict:
    result = {}
    for name, dtype in df.dtypes.items():
        if dtype == "int64":
            result[name] = "integer"
        elif dtype == "float64":
            result[name] = "float"
        else:
            result[name] = "string"
    return result


def summarise(df: pd.DataFrame) -> dict:
    grouped = df.groupby("region").sum()
    totals = {}
    for region, row in grouped.iterrows():
        totals[region] = row["amount"]
    return totals
"""


def test_a_dataframe_accessor_is_not_heavy_computation(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "frames.py").write_text(FRAMES, encoding="utf-8")
    found = recommendations(root, tmp_path, "--min-confidence", "0")
    assert "column_types" not in found
    assert str(found["summarise"]["rationale"]).startswith("Heavy computation (df.groupby)")
