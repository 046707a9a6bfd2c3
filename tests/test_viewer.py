"""The offline HTML viewer, opened in headless Chromium: nodes are drawn, search selects a node, the side panel
shows linked identifiers and evidence. Skips cleanly when /usr/bin/chromium is absent (CI installs it) or when
`make setup` could not fetch cytoscape.js."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from explore_fixture import write_fixture_out

import kg
from kg.export import export


def _library_cached() -> bool:
    """The page inlines cytoscape.js, which `make setup` fetches into kg's download cache; tests never fetch."""
    from kg.cache import Cache
    from kg.errors import DownloadError
    from kg.export.html import viewer_library

    try:
        viewer_library(Cache(offline=True))
    except DownloadError:
        return False
    return True


pytestmark = pytest.mark.skipif(
    not _library_cached(), reason="cytoscape.js not in the download cache: run `make setup`"
)
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARTIFACTS_ENV = "KG_TEST_ARTIFACTS"  # CI sets it to keep the screenshot; otherwise it goes to a temp dir


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("viewer")
    graph = kg.load(write_fixture_out(tmp / "out"))
    (path,) = export(graph, "html", tmp / "viewer.html")
    return path


def test_page_is_self_contained(page):
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html) and not re.search(r"<link[^>]+href=", html)
    assert "cytoscape" in html and '"HGNC:1033"' in html
    assert 'http://identifiers.org/hgnc/1033' in html  # identifier links come from the prefix map


def _chromium(*args: str) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1400,900",
           "--virtual-time-budget=8000", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium)")
def test_viewer_draws_nodes_and_search_selects_one(page, tmp_path):
    dom = _chromium("--dump-dom", f"{page.as_uri()}#q=brain-derived").stdout + \
        _chromium("--dump-dom", f"{page.as_uri()}#q=bdnf").stdout
    statuses = re.findall(r'<span id="status"([^>]*)>', dom)
    assert len(statuses) == 2, dom[:2000]
    attrs = [dict(re.findall(r'data-(\w+)="([^"]*)"', s)) for s in statuses]
    nothing, bdnf = attrs
    assert nothing["nodes"] == nothing["visible"] == nothing["drawn"] == "15"  # every node laid out and drawn
    assert nothing["matches"] == "0" and nothing["selected"] == ""
    assert bdnf["matches"] == "1" and bdnf["selected"] == "HGNC:1033"
    info = dom[dom.rindex('<aside id="info">'):]
    assert '<a href="http://identifiers.org/hgnc/1033"' in info and ">NCBIGene:627</a>" in info
    assert "AMPA receptor activation increases the release of BDNF." in info  # evidence sentence


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium)")
def test_viewer_screenshot_shows_category_colours(page, tmp_path):
    import os

    import matplotlib.image

    artifacts = Path(os.environ.get(ARTIFACTS_ENV) or tmp_path)
    artifacts.mkdir(parents=True, exist_ok=True)
    shot = artifacts / "viewer.png"
    shot.unlink(missing_ok=True)
    _chromium(f"--screenshot={shot}", f"{page.as_uri()}#q=esketamine")
    assert shot.is_file(), "Chromium wrote no screenshot"
    rgb = (matplotlib.image.imread(shot)[..., :3] * 255).round().astype(int).reshape(-1, 3)

    def pixels(hex_colour: str) -> int:
        r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        return int(((abs(rgb[:, 0] - r) < 4) & (abs(rgb[:, 1] - g) < 4) & (abs(rgb[:, 2] - b) < 4)).sum())

    from kg.export.palette import colour

    # node discs (not just the 10-pixel legend swatches) in the chemical, gene and complex colours
    for category in ("chemical", "gene", "complex"):
        assert pixels(colour(category)) > 250, category
