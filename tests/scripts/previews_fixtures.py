# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Synthetic dashboards and dashboard_queries.py --results documents for test_previews*.py.

Two dashboards (uids t-one and t-two) and two results files: t-one is in both,
with data only in the second; t-two is only in the second. Panels: time
series, stat, heatmap (cumulative `le` buckets) and one that returned no series.
"""

import json
import os

NOW = 1764763200


def series(labels, values, step=15):
    return {"metric": labels, "values": [[NOW - step * (len(values) - i), str(v)] for i, v in enumerate(values)]}


def target(ref, legend, result, expr="up"):
    return {"refId": ref, "expr": expr, "legendFormat": legend, "format": None, "instant": False, "hide": False,
            "status": "ok" if result else "fail", "reason": "", "series_count": len(result), "series": result}


def panel(panel_id, title, kind, unit, targets):
    return {"id": panel_id, "title": title, "type": kind, "unit": unit, "targets": targets}


def one_panels(with_data):
    """Dashboard t-one: timeseries (1), stat (2), empty (3), heatmap (4); no series at all unless with_data."""
    def data(result):
        return result if with_data else []
    buckets = [series({"le": le}, [c, c * 2, c * 3]) for le, c in (("0.1", 1), ("1", 4), ("+Inf", 6))]
    return [
        panel(1, "Latency", "timeseries", "s", [
            target("A", "p50 {{model_name}}", data([series({"model_name": "m1"}, [0.1, 0.2, 0.3]),
                                                    series({"model_name": "m2"}, [0.2, 0.3, 0.4])])),
            target("B", "", data([series({"__name__": "x", "job": "vllm"}, [1, 2, "NaN"])]))]),
        panel(2, "Requests/s", "stat", "reqps", [target("A", "__auto", data([series({}, [1.5, 2.5])]))]),
        panel(3, "Never any data", "timeseries", "short", [target("A", "{{instance}}", [])]),
        panel(4, "Prompt length", "heatmap", "short", [target("A", "{{le}}", data(buckets))]),
    ]


def two_panels():
    return [panel(7, "Memory", "timeseries", "bytes", [target("A", "{{instance}}", [series({"instance": "h1"}, [1e9, 2e9])])]),
            panel(8, "Up", "stat", "short", [target("A", "", [series({}, [3, 3])])])]


def results(dashboards, generated):
    return {"url": "http://127.0.0.1:9090", "generated": generated, "range": "10m", "scrape_interval": "15s",
            "dashboards": [{"uid": uid, "title": uid, "file": uid + ".json", "variables": {}, "panels": panels}
                           for uid, panels in dashboards]}


def shipped(uid, title, panel_ids):
    """A dashboard JSON with panels (in a row, as build.py writes them) of these ids, in this order."""
    return {"uid": uid, "title": title, "panels": [{"id": 100, "type": "row", "title": "row", "panels": []}]
            + [{"id": i, "type": "timeseries", "title": "p%d" % i, "targets": [{"expr": "up"}]} for i in panel_ids]}


def write_fixture(directory):
    """(dashboards dir, [results file paths]) under directory."""
    dashboards = os.path.join(directory, "dashboards")
    os.makedirs(dashboards)
    for name, document in (("one.json", shipped("t-one", "Dashboard one", [1, 2, 3, 4])),
                           ("two.json", shipped("t-two", "Dashboard two", [8, 7]))):
        with open(os.path.join(dashboards, name), "w", encoding="utf-8") as handle:
            json.dump(document, handle)
    first = results([("t-one", one_panels(False))], "2026-12-03T10:00:00Z")
    second = results([("t-one", one_panels(True)), ("t-two", two_panels())], "2026-12-03T11:00:00Z")
    paths = []
    for name, document in (("scenario-a.json", first), ("scenario-b.json", second)):
        path = os.path.join(directory, name)
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(document, handle)
        paths.append(path)
    return dashboards, paths
