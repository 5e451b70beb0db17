"""README.md's Python example runs as written (with fewer replications)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def test_the_python_example_in_the_readme_runs():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Python API.*?```python\n(.*?)```", text, re.S).group(1)
    code = re.sub(r"reps=\d+", "reps=3", block)
    assert code != block  # the example was found, and made quick
    space: dict = {}
    lines = code.strip().splitlines()
    with warnings.catch_warnings():  # as written, it warns of nothing (a sweep over an uncertain field did)
        warnings.simplefilter("error", UserWarning)
        for i, line in enumerate(lines):  # line by line: a failure names the line
            exec(compile(line, f"README.md python example, line {i + 1}", "exec"), space)
    assert isinstance(space["res"].metric("payroll"), pd.DataFrame)
    assert len(space["res"].at("payroll", 2025)) == 3
    assert {"difference", "difference_low", "difference_high"} <= set(space["cmp"].differences.columns)
    assert {"value", "low", "high"} <= set(space["sw"].output("certified_share@2025").columns)
    assert set(space["alt"].differences.scenario) == {"quits +20%"}
