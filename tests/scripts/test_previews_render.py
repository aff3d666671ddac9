# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of dashboards/previews.py that draw: PNGs written, exit status when a dashboard has no data.

Skipped where matplotlib is missing (`make test`'s venv); run them with the
venv of `make previews`:
  .cache/previews-venv/bin/pip install pytest
  .cache/previews-venv/bin/python -m pytest -q tests/scripts/test_previews_render.py
"""

import json
import os
import sys

import pytest

pytest.importorskip("matplotlib")

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "dashboards"))
sys.path.insert(0, HERE)

import previews  # noqa: E402  pylint: disable=wrong-import-position
import previews_fixtures as fx  # noqa: E402  pylint: disable=wrong-import-position

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(path):
    """(width, height) from the PNG's IHDR chunk."""
    with open(path, "rb") as handle:
        header = handle.read(24)
    assert header[:8] == PNG_MAGIC, path
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def test_previews_written(tmp_path, capsys):
    dashboards, paths = fx.write_fixture(str(tmp_path))
    out = tmp_path / "out"
    assert previews.main(["--out", str(out), "--dashboards", dashboards] + paths) == 0
    assert sorted(os.listdir(out)) == ["t-one.png", "t-two.png"]
    width, height = png_size(str(out / "t-one.png"))
    assert width == 1600 and height > 300
    printed = capsys.readouterr().out
    assert "t-one.png (3 panels)" in printed and "t-two.png (2 panels)" in printed


def test_panels_limit(tmp_path, capsys):
    dashboards, paths = fx.write_fixture(str(tmp_path))
    assert previews.main(["--out", str(tmp_path / "out"), "--dashboards", dashboards, "--panels", "1"] + paths) == 0
    assert "t-one.png (1 panels)" in capsys.readouterr().out


def test_dashboard_without_data_fails_after_the_others(tmp_path, capsys):
    dashboards, paths = fx.write_fixture(str(tmp_path))
    with open(os.path.join(dashboards, "three.json"), "w", encoding="utf-8") as handle:
        json.dump(fx.shipped("t-three", "Dashboard three", [1]), handle)
    out = tmp_path / "out"
    assert previews.main(["--out", str(out), "--dashboards", dashboards] + paths) == 1
    assert sorted(os.listdir(out)) == ["t-one.png", "t-two.png"]
    assert "no data for dashboard(s) t-three" in capsys.readouterr().err


def test_only_the_file_without_data(tmp_path, capsys):
    dashboards, paths = fx.write_fixture(str(tmp_path))
    assert previews.main(["--out", str(tmp_path / "out"), "--dashboards", dashboards, paths[0]]) == 1
    assert "no data for dashboard(s) t-one, t-two" in capsys.readouterr().err


def test_odd_panels_render(tmp_path):
    # A heatmap without le (drawn as lines), a stat with several series, one point only, an unknown type.
    one_point = [fx.series({"instance": "h%d" % i}, [i]) for i in range(3)]
    panels = [fx.panel(1, "Heat without le", "heatmap", "short", [fx.target("A", "{{instance}}", one_point)]),
              fx.panel(2, "Several", "stat", "percentunit", [fx.target("A", "{{instance}}", one_point)]),
              fx.panel(3, "Gauge", "gauge", "s", [fx.target("A", "", [fx.series({}, [1, 2])])]),
              fx.panel(4, "One bucket point", "heatmap", "short", [fx.target("A", "{{le}}", [fx.series({"le": "+Inf"}, [5])])])]
    plan = {"uid": "odd", "title": "Odd", "generated": "", "panels": panels}
    path = tmp_path / "odd.png"
    previews.render_dashboard(plan, str(path))
    assert png_size(str(path))[0] == 1600
