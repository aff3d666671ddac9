# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of dashboards/previews.py that need no matplotlib: legends, units, panel choice, errors.

The drawing itself is tested in test_previews_render.py (skipped without matplotlib).

Run: .venv/bin/python -m pytest -q tests/scripts/test_previews.py
"""

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "dashboards"))
sys.path.insert(0, HERE)

import previews  # noqa: E402  pylint: disable=wrong-import-position
import previews_fixtures as fx  # noqa: E402  pylint: disable=wrong-import-position


def test_helpers_need_no_matplotlib(tmp_path):
    # `make test`'s venv has no matplotlib: importing and planning must not touch it (None in sys.modules blocks it).
    _dashboards, paths = fx.write_fixture(str(tmp_path))
    code = ("import sys; sys.modules['matplotlib'] = None; sys.path[:0] = sys.argv[1:3]; import previews, previews_fixtures; "
            "docs = previews.load_results(sys.argv[3:]); print(len(previews.plan_previews(docs, [{'uid': 't-one', 'title': 't', 'order': []}])[0]))")
    result = subprocess.run([sys.executable, "-c", code, os.path.join(REPO, "dashboards"), HERE] + paths,
                            capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout.strip()) == (0, "1"), result.stderr


@pytest.mark.parametrize("legend, labels, expected", [
    ("p50 {{model_name}} {{instance}}/{{vllm_instance}}", {"model_name": "m1", "instance": "h:8000", "vllm_instance": "a"},
     "p50 m1 h:8000/a"),
    ("{{ status }} {{handler}}", {"status": "2xx", "handler": "/v1/completions"}, "2xx /v1/completions"),
    ("{{missing}} {{job}}", {"job": "vllm"}, "vllm"),
    ("GPU {{gpu}}", {"gpu": "0"}, "GPU 0"),
    ("", {"__name__": "up", "job": "node", "instance": "h1"}, 'up{instance="h1", job="node"}'),
    ("__auto", {"job": "node"}, '{job="node"}'),
    ("{{missing}}", {"job": "node"}, '{job="node"}'),
])
def test_format_legend(legend, labels, expected):
    assert previews.format_legend(legend, labels) == expected


def test_format_legend_without_labels():
    assert previews.format_legend("__auto", {}, "sum(up)") == "sum(up)"
    assert previews.format_legend(None, None) == "value"
    assert previews.format_legend("total", {}) == "total"


@pytest.mark.parametrize("value, unit, expected", [
    (0.5, "percentunit", "50%"),
    (0.1234, "percentunit", "12.3%"),
    (55.25, "percent", "55.2%"),
    (0.25, "s", "250 ms"),
    (1.5, "s", "1.5 s"),
    (90, "s", "1.5 min"),
    (0.0000025, "s", "2.5 \u00b5s"),
    (0, "s", "0 s"),
    (1500, "ms", "1.5 s"),
    (1536, "bytes", "1.5 KiB"),
    (3 * 1024 ** 3, "bytes", "3 GiB"),
    (2048, "Bps", "2 KiB/s"),
    (2.5, "reqps", "2.5 req/s"),
    (12500, "short", "12.5 k"),
    (3, None, "3"),
    (0.004, "short", "0.004"),
    (65, "celsius", "65 \u00b0C"),
    (250, "watt", "250 W"),
    (1410000000, "hertz", "1.41 GHz"),
    (12345, "none", "12345"),
    (7, "widgets", "7 widgets"),
    (float("nan"), "s", "NaN"),
    (float("inf"), "short", "+Inf"),
])
def test_format_value(value, unit, expected):
    assert previews.format_value(value, unit) == expected


def test_series_points_and_values():
    points = {"values": [[1, "1.5"], [2, "NaN"], [3, "bad"], [4, "+Inf"]]}
    times, values = previews.series_points(points)
    assert times == [1.0, 2.0, 4.0]
    assert values[0] == 1.5 and values[2] == float("inf")
    assert previews.has_values(points)
    assert not previews.has_values({"values": [[1, "NaN"]]})
    assert not previews.has_values({"values": []})


def test_choose_panels_prefers_the_file_with_data(tmp_path):
    _dashboards, paths = fx.write_fixture(str(tmp_path))
    documents = previews.load_results(paths)
    panels = previews.choose_panels("t-one", documents, [1, 2, 3, 4])
    assert [p["id"] for p in panels] == [1, 2, 4]  # 3 never has data anywhere
    assert {p["generated"] for p in panels} == {"2026-12-03T11:00:00Z"}  # all from the second file
    assert previews.panel_score(panels[0]) == 3


def test_choose_panels_keeps_the_earlier_file_on_a_tie(tmp_path):
    _dashboards, paths = fx.write_fixture(str(tmp_path))
    documents = previews.load_results([paths[1], paths[1]])
    documents[1][1]["generated"] = "later"
    panels = previews.choose_panels("t-one", documents)
    assert {p["generated"] for p in panels} == {"2026-12-03T11:00:00Z"}


def test_choose_panels_follows_the_dashboard_order(tmp_path):
    _dashboards, paths = fx.write_fixture(str(tmp_path))
    documents = previews.load_results(paths)
    assert [p["id"] for p in previews.choose_panels("t-two", documents, [8, 7])] == [8, 7]
    assert [p["id"] for p in previews.choose_panels("t-two", documents)] == [7, 8]  # results order without one


def test_hidden_targets_do_not_count():
    panel = fx.panel(1, "x", "timeseries", "short", [fx.target("A", "", [fx.series({}, [1, 2])])])
    panel["targets"][0]["hide"] = True
    assert previews.panel_score(panel) == 0


def test_plan_previews(tmp_path):
    dashboards, paths = fx.write_fixture(str(tmp_path))
    with open(os.path.join(dashboards, "three.json"), "w", encoding="utf-8") as handle:
        json.dump(fx.shipped("t-three", "Dashboard three", [1]), handle)
    shipped = previews.shipped_dashboards(dashboards)
    assert [d["uid"] for d in shipped] == ["t-one", "t-three", "t-two"]
    assert shipped[0]["order"] == [1, 2, 3, 4]
    plans, missing = previews.plan_previews(previews.load_results(paths), shipped, limit=2)
    assert missing == ["t-three"]
    assert [(p["uid"], p["title"], [q["id"] for q in p["panels"]]) for p in plans] == [
        ("t-one", "Dashboard one", [1, 2]), ("t-two", "Dashboard two", [8, 7])]
    assert plans[0]["generated"] == "2026-12-03T11:00:00Z"


def test_panel_lines_legends_and_limit():
    panel = fx.one_panels(True)[0]
    lines, total = previews.panel_lines(panel)
    assert total == 3
    assert [legend for legend, _t, _v in lines] == ["p50 m1", "p50 m2", 'x{job="vllm"}']
    lines, total = previews.panel_lines(panel, limit=1)
    assert (len(lines), total) == (1, 3)


def test_stat_values_take_the_last_finite_value():
    panel = fx.panel(2, "s", "stat", "short", [fx.target("A", "", [fx.series({}, [1, 4, "NaN"])])])
    assert [(legend, last) for legend, last, _h in previews.stat_values(panel)] == [("up", 4.0)]


def test_heatmap_grid_counts_per_bucket():
    panel = fx.one_panels(True)[3]
    panel["targets"][0]["series"].reverse()  # order comes from le, not from the result
    bounds, times, counts = previews.heatmap_grid(panel)
    assert bounds == [0.1, 1.0, float("inf")]
    assert len(times) == 3
    assert counts == [[1, 2, 3], [3, 6, 9], [2, 4, 6]]


def test_heatmap_grid_needs_le():
    assert previews.heatmap_grid(fx.one_panels(True)[0]) is None
    assert previews.heatmap_grid(fx.one_panels(False)[3]) is None


def test_row_heights():
    stat = {"type": "stat"}
    line = {"type": "timeseries"}
    assert previews.row_heights([stat, stat, stat, stat, line]) == [previews.STAT_ROW_HEIGHT, 1.0]


def test_format_generated():
    assert previews.format_generated("2026-12-03T11:00:05Z") == "2026-12-03 11:00 UTC"
    assert previews.format_generated("") == "unknown time"


def test_missing_results_file(tmp_path, capsys):
    missing = str(tmp_path / "absent.json")
    with pytest.raises(previews.PreviewError, match="results file missing"):
        previews.load_results([missing])
    assert previews.main(["--out", str(tmp_path / "out"), missing]) == 1
    assert "results file missing: %s" % missing in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_unreadable_results_file(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    other = tmp_path / "other.json"
    other.write_text("[]")
    for path in (bad, other):
        assert previews.main(["--out", str(tmp_path / "out"), str(path)]) == 1
    err = capsys.readouterr().err
    assert "bad.json unreadable" in err and "other.json has no 'dashboards' list" in err
