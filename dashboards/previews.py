# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render a PNG preview of each shipped Grafana dashboard from real query results.

The README shows what an operator will see; screenshots of a live Grafana go
stale and need a browser, so the previews are drawn from the results files
that tests/scripts/dashboard_queries.py writes with --results (the molecule
scenarios fetch them to .cache/dashboard-results/<host>.json). Each file holds,
per dashboard, per panel and per target, the resolved query and its result
matrix; the same dashboard may be in several files (one per scenario), and for
each panel the file whose result has the most series with values is used.

Per dashboard in dashboards/*.json (or --dashboards DIR) one image
<out>/<uid>.png: a title, then a grid of the first --panels panels that have
data, in dashboard order. Time series: one line per series (at most
MAX_SERIES), named from the target's legendFormat; stat: the last value in
big; heatmap: bucket counts over time when the series carry `le` (else
lines). Values are formatted with the panel's unit as Grafana does (s, ms,
percentunit, percent, bytes, Bps, short, reqps, ...).

Fails (exit 1) when a results file is missing or unreadable, or when a
shipped dashboard has no data in any file; the previews of the others are
still written. Only the renderer needs matplotlib (Agg backend, imported when
drawing), so the pure helpers and their tests run without it.

Usage: python dashboards/previews.py [--out docs/dashboards] [--panels 9] [--dashboards DIR] RESULTS.json ...
"""

import argparse
import datetime
import glob
import json
import math
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(os.path.dirname(HERE), "docs", "dashboards")
DEFAULT_PANELS = 9
COLUMNS = 3
# More lines than this make a 500px panel unreadable; the title says how many were left out.
MAX_SERIES = 6
MAX_STAT_VALUES = 4
LEGEND_WIDTH = 60

# Grafana's dark theme and classic palette, so the preview looks like the real thing.
STYLE = {"background": "#111217", "panel": "#181b1f", "border": "#2c3235", "text": "#ccccdc",
         "muted": "#8e8e9e", "grid": "#2c3235", "stat": "#73bf69"}
PALETTE = ["#73bf69", "#f2cc0c", "#8ab8ff", "#ff780a", "#f2495c", "#5794f2", "#b877d9", "#705da0"]


class PreviewError(Exception):
    """A problem the operator must fix (missing file, no data); printed without a traceback."""


# --------------------------------------------------------------------------
# Inputs: results files and the shipped dashboards
# --------------------------------------------------------------------------
def load_results(paths):
    """[(path, document)] of the results files; PreviewError names the first missing or unreadable one."""
    documents = []
    for path in paths:
        if not os.path.isfile(path):
            raise PreviewError("results file missing: %s (run `make test` or a molecule scenario first: they write "
                               ".cache/dashboard-results/<host>.json)" % path)
        try:
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle)
        except (OSError, ValueError) as error:
            raise PreviewError("results file %s unreadable: %s" % (path, error)) from error
        if not isinstance(document, dict) or not isinstance(document.get("dashboards"), list):
            raise PreviewError("results file %s has no 'dashboards' list: not written by dashboard_queries.py --results" % path)
        documents.append((path, document))
    return documents


def _flatten_panels(container):
    """Panels in dashboard order, rows' nested panels included (as dashboard_queries.iter_panels)."""
    for panel in container.get("panels") or []:
        if panel.get("type") == "row" or panel.get("panels"):
            yield from _flatten_panels(panel)
        else:
            yield panel


def shipped_dashboards(directory):
    """[{uid, title, order: [panel ids]}] of the dashboard JSON files in directory, sorted by file name."""
    dashboards = []
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
        document = document.get("dashboard", document)
        if not document.get("uid"):
            continue
        dashboards.append({"uid": document["uid"], "title": document.get("title") or document["uid"],
                           "order": [p.get("id") for p in _flatten_panels(document)]})
    return dashboards


# --------------------------------------------------------------------------
# Data: series values, panel choice
# --------------------------------------------------------------------------
def series_points(series):
    """(timestamps, values) as floats; NaN stays (a gap), unparsable points are left out."""
    times, values = [], []
    for point in series.get("values") or []:
        if not point or len(point) < 2:
            continue
        try:
            timestamp, value = float(point[0]), float(point[1])
        except (TypeError, ValueError):
            continue
        times.append(timestamp)
        values.append(value)
    return times, values


def has_values(series):
    return any(math.isfinite(v) for v in series_points(series)[1])


def visible_targets(panel):
    """Targets Grafana would draw: not hidden."""
    return [t for t in panel.get("targets") or [] if not t.get("hide")]


def panel_score(panel):
    """Series with at least one finite value, over the panel's visible targets: 0 means no data."""
    return sum(1 for target in visible_targets(panel) for series in target.get("series") or [] if has_values(series))


def choose_panels(uid, documents, order=()):
    """The best copy of every panel of dashboard uid over all documents, in dashboard order, without the empty ones.

    A panel is (id, title): repeated panels share an id but not a title. Ties go to the earlier file.
    Every chosen panel gets "generated" (its file's time) added.
    """
    best = {}
    first_seen = []
    for _path, document in documents:
        for dashboard in document.get("dashboards") or []:
            if dashboard.get("uid") != uid:
                continue
            for panel in dashboard.get("panels") or []:
                key = (panel.get("id"), panel.get("title"))
                if key not in best:
                    first_seen.append(key)
                    best[key] = (0, None)
                score = panel_score(panel)
                if score > best[key][0]:
                    best[key] = (score, dict(panel, generated=document.get("generated")))
    position = {panel_id: index for index, panel_id in enumerate(order)}
    keys = sorted(first_seen, key=lambda k: (position.get(k[0], len(position)), first_seen.index(k)))
    return [best[key][1] for key in keys if best[key][1] is not None]


def plan_previews(documents, shipped, limit=DEFAULT_PANELS):
    """([{uid, title, generated, panels}] for dashboards with data, [uids without data in any file])."""
    plans, missing = [], []
    for dashboard in shipped:
        panels = choose_panels(dashboard["uid"], documents, dashboard["order"])
        if not panels:
            missing.append(dashboard["uid"])
            continue
        shown = panels[:limit]
        # The title's time: the newest of the files the shown panels come from.
        generated = max((p.get("generated") or "" for p in shown), default="")
        plans.append({"uid": dashboard["uid"], "title": dashboard["title"], "generated": generated, "panels": shown})
    return plans, missing


def format_generated(text):
    """'2026-12-03T12:00:05Z' as '2026-12-03 12:00 UTC'; anything else unchanged."""
    try:
        return time.strftime("%Y-%m-%d %H:%M UTC", time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))
    except (TypeError, ValueError):
        return text or "unknown time"


# --------------------------------------------------------------------------
# Text: legends and units
# --------------------------------------------------------------------------
def label_set(labels):
    """Grafana's default series name: name{a="b", c="d"}."""
    name = labels.get("__name__", "")
    rest = ", ".join('%s="%s"' % (k, v) for k, v in sorted(labels.items()) if k != "__name__")
    if not rest:
        return name
    return "%s{%s}" % (name, rest)


def format_legend(legend_format, labels, expr=None):
    """A series' name as Grafana shows it: legendFormat with {{label}} replaced (a missing label is empty).

    Without a legendFormat (or "__auto") the label set, or the expression when there are no labels.
    """
    labels = labels or {}
    if not legend_format or legend_format == "__auto":
        return label_set(labels) or (expr or "").strip() or "value"
    text = re.sub(r"\{\{\s*([^{}\s]+)\s*\}\}", lambda m: str(labels.get(m.group(1), "")), legend_format)
    return re.sub(r"\s+", " ", text).strip() or label_set(labels) or "value"


def shorten(text, width=LEGEND_WIDTH):
    return text if len(text) <= width else text[:width - 1] + "\u2026"


def _number(value):
    """At most 3 significant digits, no trailing zeros."""
    if value == 0:
        return "0"
    size = abs(value)
    if size >= 100:
        text = "%.0f" % value
    elif size >= 10:
        text = "%.1f" % value
    elif size >= 0.01:
        text = "%.2f" % value
    else:
        text = "%.2g" % value
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _scaled(value, base, prefixes, suffix):
    """value divided by base until it fits, with the matching prefix: 1536, 1024, [Ki..] -> '1.5 Ki<suffix>'."""
    index = 0
    while abs(value) >= base and index < len(prefixes) - 1:
        value /= base
        index += 1
    return ("%s %s%s" % (_number(value), prefixes[index], suffix)).strip()


def _duration(seconds):
    size = abs(seconds)
    for limit, divisor, name in ((86400, 86400, "day"), (3600, 3600, "h"), (60, 60, "min"), (1, 1, "s"),
                                 (1e-3, 1e-3, "ms"), (1e-6, 1e-6, "\u00b5s")):
        if size >= limit:
            return "%s %s" % (_number(seconds / divisor), name)
    if seconds == 0:
        return "0 s"
    return "%s ns" % _number(seconds / 1e-9)


SI = ["", "k", "M", "G", "T", "P"]
IEC = ["", "Ki", "Mi", "Gi", "Ti", "Pi"]
SUFFIX_UNITS = {"celsius": "\u00b0C", "watt": "W", "hertz": "Hz"}


def format_value(value, unit=None):
    """value as Grafana's unit formatter writes it (the units the shipped dashboards use; others: 'value unit')."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if unit == "percentunit":
        return _number(value * 100) + "%"
    if unit == "percent":
        return _number(value) + "%"
    if unit == "s":
        return _duration(value)
    if unit == "ms":
        return _duration(value / 1000.0)
    if unit == "bytes":
        return _scaled(value, 1024, IEC, "B")
    if unit == "Bps":
        return _scaled(value, 1024, IEC, "B/s")
    if unit == "reqps":
        return _scaled(value, 1000, SI, "") + " req/s"
    if unit in SUFFIX_UNITS:
        return _scaled(value, 1000, SI, SUFFIX_UNITS[unit])
    if unit in (None, "", "short"):
        return _scaled(value, 1000, SI, "")
    if unit == "none":
        return _number(value)
    return "%s %s" % (_number(value), unit)


# --------------------------------------------------------------------------
# Panel contents, as plain data
# --------------------------------------------------------------------------
def panel_lines(panel, limit=MAX_SERIES):
    """([(legend, timestamps, values)] of the series with values, at most limit; the number there were in all)."""
    lines = []
    for target in visible_targets(panel):
        for series in target.get("series") or []:
            if has_values(series):
                times, values = series_points(series)
                lines.append((format_legend(target.get("legendFormat"), series.get("metric"), target.get("expr")),
                              times, values))
    return lines[:limit], len(lines)


def bucket_bound(labels):
    """The float of an `le` label, None without one."""
    try:
        return float(labels["le"])
    except (KeyError, TypeError, ValueError):
        return None


def heatmap_grid(panel):
    """(bucket bounds, timestamps, rows of counts per bucket) from cumulative `le` series; None when not a histogram.

    Prometheus buckets are cumulative; Grafana's heatmap format subtracts each
    bucket from the next, which is done here too (negative noise clipped to 0).
    """
    series = [s for t in visible_targets(panel) for s in t.get("series") or [] if has_values(s)]
    if not series or any(bucket_bound(s.get("metric") or {}) is None for s in series):
        return None
    series.sort(key=lambda s: bucket_bound(s["metric"]))
    times = sorted({t for s in series for t in series_points(s)[0]})
    cumulative = []
    for s in series:
        by_time = dict(zip(*series_points(s)))
        cumulative.append([by_time.get(t, 0.0) if math.isfinite(by_time.get(t, 0.0)) else 0.0 for t in times])
    counts = [cumulative[0]] + [[max(high - low, 0.0) for high, low in zip(cumulative[i], cumulative[i - 1])]
                                for i in range(1, len(cumulative))]
    return [bucket_bound(s["metric"]) for s in series], times, counts


def stat_values(panel):
    """[(legend, last finite value, values)] of the series a stat panel shows, at most MAX_STAT_VALUES."""
    lines, _total = panel_lines(panel, MAX_STAT_VALUES)
    return [(legend, [v for v in values if math.isfinite(v)][-1], values) for legend, _times, values in lines]


# --------------------------------------------------------------------------
# Drawing (matplotlib, Agg only)
# --------------------------------------------------------------------------
def _style_axes(axes):
    axes.set_facecolor(STYLE["panel"])
    for spine in axes.spines.values():
        spine.set_color(STYLE["border"])
    axes.tick_params(colors=STYLE["muted"], labelsize=8)
    axes.grid(True, color=STYLE["grid"], linewidth=0.6)


def _panel_title(axes, panel, note=""):
    axes.set_title(shorten(panel.get("title") or "", 70) + note, color=STYLE["text"], fontsize=11, loc="left", pad=6)


def _time_axis(axes, matplotlib, timestamps):
    """Round times as ticks; seconds shown when the range is too short for minutes to differ."""
    span = (max(timestamps) - min(timestamps)) if timestamps else 0
    axes.xaxis.set_major_locator(matplotlib.dates.AutoDateLocator(minticks=3, maxticks=6, tz=matplotlib.dates.UTC))
    axes.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%H:%M:%S" if span < 300 else "%H:%M",
                                                                  tz=matplotlib.dates.UTC))


def _dates(timestamps, matplotlib):
    """Unix seconds as matplotlib date numbers (UTC), which DateFormatter and pcolormesh edges both take."""
    return list(matplotlib.dates.date2num([datetime.datetime.fromtimestamp(t, datetime.timezone.utc) for t in timestamps]))


def draw_timeseries(axes, panel, matplotlib):
    lines, total = panel_lines(panel)
    unit = panel.get("unit")
    for index, (legend, times, values) in enumerate(lines):
        # A line needs two points: a series that has fewer is drawn as dots.
        marker = "o" if sum(1 for v in values if math.isfinite(v)) < 3 else None
        axes.plot(_dates(times, matplotlib), values, color=PALETTE[index % len(PALETTE)], linewidth=1.4,
                  marker=marker, markersize=4, label=shorten(legend))
    _panel_title(axes, panel, "  (%d of %d series)" % (len(lines), total) if total > len(lines) else "")
    _time_axis(axes, matplotlib, [t for _legend, times, _values in lines for t in times])
    axes.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _pos: format_value(v, unit)))
    axes.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5))
    legend = axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=1, fontsize=7, frameon=False,
                         labelcolor=STYLE["text"], handlelength=1.5)
    legend.set_in_layout(True)


def _sparkline(axes, history):
    """Grafana's stat draws the history as a faint area; kept in the lower part, under the number."""
    finite = [v for v in history if math.isfinite(v)]
    low, high = min(finite), max(finite)
    span = (high - low) or abs(high) or 1.0
    bottom = low - 0.05 * span
    axes.set_ylim(bottom, high + 2.5 * span)
    axes.set_xlim(0, max(len(history) - 1, 1))
    values = [v if math.isfinite(v) else float("nan") for v in history]
    axes.fill_between(range(len(values)), values, bottom, color=STYLE["stat"], alpha=0.15, linewidth=0)
    axes.plot(range(len(values)), values, color=STYLE["stat"], alpha=0.6, linewidth=1)


def draw_stat(axes, panel, matplotlib):  # pylint: disable=unused-argument
    values = stat_values(panel)
    unit = panel.get("unit")
    _panel_title(axes, panel)
    axes.set_xticks([])
    axes.set_yticks([])
    axes.grid(False)
    if len(values) == 1:
        _legend, last, history = values[0]
        _sparkline(axes, history)
        axes.text(0.5, 0.55, format_value(last, unit), transform=axes.transAxes, ha="center", va="center",
                  fontsize=34, color=STYLE["stat"], fontweight="bold")
        return
    # Several series side by side, each named under its value, as Grafana lays out a wide stat.
    size = 24 if len(values) <= 2 else 17
    for index, (legend, last, _history) in enumerate(values):
        x = (index + 0.5) / len(values)
        axes.text(x, 0.58, format_value(last, unit), transform=axes.transAxes, ha="center", va="center",
                  fontsize=size, color=PALETTE[index % len(PALETTE)], fontweight="bold")
        axes.text(x, 0.22, shorten(legend, 120 // len(values)), transform=axes.transAxes, ha="center", va="center",
                  fontsize=8, color=STYLE["muted"])


def draw_heatmap(axes, panel, matplotlib):
    grid = heatmap_grid(panel)
    if grid is None:
        draw_timeseries(axes, panel, matplotlib)
        return
    bounds, times, counts = grid
    dates = _dates(times, matplotlib)
    # Cell edges: half a step either side of each sample, one row per bucket.
    step = (dates[-1] - dates[0]) / max(len(dates) - 1, 1) or 1.0 / 1440
    edges = [d - step / 2 for d in dates] + [dates[-1] + step / 2]
    mesh = axes.pcolormesh(edges, range(len(bounds) + 1), counts, cmap="inferno", shading="flat")
    _panel_title(axes, panel)
    _time_axis(axes, matplotlib, times)
    every = max(1, len(bounds) // 8)
    axes.set_yticks([i + 0.5 for i in range(0, len(bounds), every)])
    axes.set_yticklabels(["\u2264 " + format_value(b, panel.get("unit")) for b in bounds[::every]])
    axes.grid(False)
    colorbar = axes.figure.colorbar(mesh, ax=axes, pad=0.01)
    colorbar.ax.tick_params(colors=STYLE["muted"], labelsize=7)
    colorbar.outline.set_edgecolor(STYLE["border"])


DRAWERS = {"stat": draw_stat, "heatmap": draw_heatmap}
STAT_ROW_HEIGHT = 0.45


def row_heights(panels, columns=COLUMNS):
    """Relative height of each grid row: a row of stats only is short, as in Grafana."""
    rows = [panels[start:start + columns] for start in range(0, len(panels), columns)]
    return [STAT_ROW_HEIGHT if all(p.get("type") == "stat" for p in row) else 1.0 for row in rows]


def render_dashboard(plan, path, columns=COLUMNS):
    """Write plan (one entry of plan_previews) as a PNG, 1600 px wide."""
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("Agg")
    import matplotlib.dates  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    from matplotlib import pyplot  # pylint: disable=import-outside-toplevel
    import matplotlib.ticker  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import

    panels = plan["panels"]
    heights = row_heights(panels, columns)
    figure = pyplot.figure(figsize=(16, 0.9 + 3.6 * sum(heights)), dpi=100, facecolor=STYLE["background"],
                           layout="constrained")
    grid = figure.add_gridspec(len(heights), columns, height_ratios=heights)
    figure.suptitle("%s \u2014 preview from live test data, %s" % (plan["title"], format_generated(plan["generated"])),
                    color=STYLE["text"], fontsize=15, x=0.01, ha="left")
    for index, panel in enumerate(panels):
        axes = figure.add_subplot(grid[index // columns, index % columns])
        _style_axes(axes)
        DRAWERS.get(panel.get("type"), draw_timeseries)(axes, panel, matplotlib)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.savefig(path, facecolor=STYLE["background"])
    pyplot.close(figure)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("results", nargs="+", metavar="RESULTS.json", help="files written by dashboard_queries.py --results")
    parser.add_argument("--out", default=DEFAULT_OUT, help="directory of the PNGs (default docs/dashboards)")
    parser.add_argument("--panels", type=int, default=DEFAULT_PANELS, help="panels per preview (default %(default)s)")
    parser.add_argument("--dashboards", default=HERE, help="directory of the shipped dashboard JSON (default dashboards/)")
    args = parser.parse_args(argv)
    if args.panels < 1:
        parser.error("--panels must be at least 1")
    try:
        documents = load_results(args.results)
        shipped = shipped_dashboards(args.dashboards)
        if not shipped:
            raise PreviewError("no dashboards with a uid in %s" % args.dashboards)
    except PreviewError as error:
        print("previews.py: %s" % error, file=sys.stderr)
        return 1
    plans, missing = plan_previews(documents, shipped, args.panels)
    for plan in plans:
        path = os.path.join(args.out, plan["uid"] + ".png")
        render_dashboard(plan, path)
        print("wrote %s (%d panels)" % (path, len(plan["panels"])))
    if missing:
        print("previews.py: no data for dashboard(s) %s in any of %s: run the scenario that deploys them, then again"
              % (", ".join(missing), ", ".join(args.results)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
