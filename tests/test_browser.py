"""report.html in a real headless browser (Debian's chromium).

Renders a run's report from disk with networking disabled and checks the screenshot
is a page with its figures drawn: not blank, and holding the fan charts' blue. Skipped,
with the reason, when no chromium is installed (``apt-get install chromium``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import model
from model.report import write_all

pytestmark = pytest.mark.browser

CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    for c in CANDIDATES:
        path = shutil.which(c) or (c if Path(c).is_file() else None)
        if path:
            return path
    return None


def screenshot(browser: str, page: Path, png: Path, profile: Path, size=(1200, 2400)) -> None:
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--no-first-run", "--disable-extensions", f"--user-data-dir={profile}",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-quic",
           "--proxy-server=127.0.0.1:9",  # no network: a self-contained page needs none
           f"--window-size={size[0]},{size[1]}", "--virtual-time-budget=5000",
           f"--screenshot={png}", page.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert png.is_file(), f"no screenshot: {proc.stderr[-2000:]}"


def test_report_renders_in_headless_chromium(tmp_path):
    browser = find_browser()
    if browser is None:
        pytest.skip("no chromium installed (apt-get install chromium); report.html not rendered")
    sc = model.load("bench", {"demand.communities": 60})
    res = model.run(sc, reps=4, seed=3, workers=1)
    write_all(res, sc, tmp_path / "run")
    shot = tmp_path / "shot.png"
    screenshot(browser, tmp_path / "run" / "report.html", shot, tmp_path / "profile")
    with Image.open(shot) as im:
        assert im.size == (1200, 2400)
        rgb = np.asarray(im.convert("RGB")).astype(int)
    # not blank: the page has text, tables and figures, so many distinct colours and contrast
    colours = np.unique(rgb.reshape(-1, 3), axis=0)
    assert len(colours) > 200
    assert rgb.std() > 20
    # the embedded figures were decoded and drawn: the fan charts' 90% band, #2b6cb0 at 15%
    # on white = (223, 233, 243), a colour nothing else on the page uses
    band = (np.abs(rgb - np.array([223, 233, 243])).sum(axis=2) <= 6).sum()
    assert band > 5000, f"only {band} pixels of the fan band: figures not drawn?"
