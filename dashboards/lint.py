# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lint the shipped Grafana dashboards (dashboards/*.json).

Checks, per file and across files:

- valid JSON; panel types only timeseries, stat, heatmap and row;
- no hard-coded data source: every `datasource` is the `datasource`
  template variable (uid "${datasource}");
- no metric names vLLM removed (gpu/cpu cache usage, swapped requests,
  time_per_output_token, the prefix cache hit-rate gauges) and no `vllm_`
  names (a Prometheus scrape of vLLM produces `vllm:`);
- every PromQL expression (targets and label_values() variable queries)
  parses with the tokenizer/parser of tests/scripts/rule_series.py once
  Grafana's macros and variables are replaced by placeholders;
- with --scrape FILE (repeatable): every metric name used is in one of the
  scrapes (histogram/summary series by their base name), in the known
  dcgm-exporter and node_exporter names (below), a recording rule of the
  collection (sli:..., llmops:...), ALERTS or up;
- unique uids and titles across files, unique panel ids in a dashboard;
- dashboard links name tags of shipped dashboards, /d/<uid> links shipped uids.

Exit status 1 with the list of problems. Standard library only.

Usage: python3 dashboards/lint.py [--scrape FILE ...] [PATH ...]
"""

import argparse
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "scripts"))

from rule_series import PromQLError, extract  # noqa: E402  pylint: disable=wrong-import-position

PANEL_TYPES = frozenset(["timeseries", "stat", "heatmap", "row"])
DATASOURCE_UIDS = frozenset(["${datasource}", "$datasource"])
REMOVED_VLLM = (
    "vllm:gpu_cache_usage_perc",
    "vllm:cpu_cache_usage_perc",
    "vllm:num_requests_swapped",
    "vllm:time_per_output_token_seconds",
    "vllm:gpu_prefix_cache_hit_rate",
    "vllm:cpu_prefix_cache_hit_rate",
)
ALWAYS_KNOWN = frozenset(["ALERTS", "ALERTS_FOR_STATE", "up"])
# Recording rules of the collection (roles/prometheus/templates/rules) are
# named level:metric:operation with these prefixes.
RECORDING_PREFIXES = ("sli:", "llmops:")
SERIES_SUFFIXES = ("_bucket", "_sum", "_count")
# Names Debian 12's prometheus-node-exporter 1.5.0 exposes with the
# collectors the dashboards read (cpu, loadavg, meminfo, filesystem, diskstats,
# netdev, vmstat, timex, uname, and systemd, which node_exporter_enabled_collectors
# switches on). No scrape of it is kept in the reference data.
NODE_EXPORTER_NAMES = frozenset([
    "node_cpu_seconds_total", "node_load1", "node_load5", "node_load15",
    "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes", "node_memory_MemFree_bytes",
    "node_memory_Buffers_bytes", "node_memory_Cached_bytes",
    "node_filesystem_avail_bytes", "node_filesystem_size_bytes", "node_filesystem_free_bytes",
    "node_filesystem_readonly", "node_disk_read_bytes_total", "node_disk_written_bytes_total",
    "node_disk_io_time_seconds_total", "node_network_receive_bytes_total", "node_network_transmit_bytes_total",
    "node_vmstat_oom_kill", "node_systemd_unit_state", "node_timex_sync_status", "node_timex_offset_seconds",
    "node_timex_maxerror_seconds", "node_uname_info", "node_boot_time_seconds",
])
# dcgm-exporter fields: the dcgm_exporter role's counters (its default set
# and dcgm_exporter_counters_extra) and the fields the dcgm-exporter stand-in
# knows from the exporter's source (profiling and clock event fields an
# operator may add).
DCGM_SOURCES = (
    os.path.join(REPO, "roles", "dcgm_exporter", "defaults", "main.yml"),
    os.path.join(REPO, "tests", "images", "dcgm-exporter-standin", "dcgm_exporter_standin.py"),
)
DCGM_NAME_RE = re.compile(r"\b(DCGM_(?:FI|EXP)_[A-Z0-9_]+)\b")
SCRAPE_NAME_RE = re.compile(r"^(?:# (?:TYPE|HELP) )?([A-Za-z_:][A-Za-z0-9_:]*)")
# Grafana macros and variables -> placeholders PromQL accepts.
MACRO_RE = re.compile(r"\$__(?:rate_interval|interval|range)(?:_ms|_s)?\b|\$\{__(?:rate_interval|interval|range)\}")
VARIABLE_RE = re.compile(r"\$\{[A-Za-z0-9_]+(?::[A-Za-z0-9_]+)?\}|\$[A-Za-z_][A-Za-z0-9_]*|\[\[[A-Za-z0-9_]+\]\]")
LABEL_VALUES_RE = re.compile(r"^\s*label_values\((.*),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$", re.S)
PLACEHOLDER = "x"


def substitute(expr):
    """Expression with Grafana macros and variables replaced by placeholders."""
    return VARIABLE_RE.sub(PLACEHOLDER, MACRO_RE.sub("1m", expr))


def scrape_names(paths):
    names = set()
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("#") and not line.startswith(("# TYPE ", "# HELP ")):
                    continue
                match = SCRAPE_NAME_RE.match(line[7:] if line.startswith("# ") else line)
                if match:
                    names.add(match.group(1))
    return names


def dcgm_names():
    names = set()
    for path in DCGM_SOURCES:
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                names |= set(DCGM_NAME_RE.findall(handle.read()))
    return names


def walk_panels(panels):
    for item in panels or []:
        yield item
        yield from walk_panels(item.get("panels"))


def walk_datasources(node, where):
    """(where, value) of every `datasource` key in the JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "datasource":
                yield where, value
            yield from walk_datasources(value, "%s.%s" % (where, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk_datasources(value, "%s[%d]" % (where, index))


def expressions(doc):
    """(where, PromQL text) of every panel target and label_values() variable."""
    for item in walk_panels(doc.get("panels")):
        for target in item.get("targets") or []:
            if "expr" in target:
                yield "panel %r %s" % (item.get("title"), target.get("refId")), target["expr"]
    for variable in (doc.get("templating") or {}).get("list") or []:
        if variable.get("type") != "query":
            continue
        query = variable.get("query")
        if isinstance(query, dict):
            query = query.get("query", "")
        match = LABEL_VALUES_RE.match(query or "")
        if match:
            yield "variable %r" % variable.get("name"), match.group(1)
        elif query:
            yield "variable %r" % variable.get("name"), query


def known(name, names):
    if name in ALWAYS_KNOWN or name == PLACEHOLDER or name.startswith(RECORDING_PREFIXES) or name in names:
        return True
    return any(name.endswith(suffix) and name[:-len(suffix)] in names for suffix in SERIES_SUFFIXES)


def lint_document(path, doc, names):
    problems = []
    label = os.path.basename(path)
    if not isinstance(doc, dict):
        return ["%s: not a dashboard object" % label]
    # Panel types and ids.
    ids = {}
    for item in walk_panels(doc.get("panels")):
        kind = item.get("type")
        if kind not in PANEL_TYPES:
            problems.append("%s: panel %r has type %r (allowed: %s)" % (label, item.get("title"), kind, ", ".join(sorted(PANEL_TYPES))))
        pid = item.get("id")
        if pid in ids:
            problems.append("%s: panel id %r used by %r and %r" % (label, pid, ids[pid], item.get("title")))
        ids[pid] = item.get("title")
        if kind != "row" and not item.get("description"):
            problems.append("%s: panel %r has no description" % (label, item.get("title")))
    # Data sources.
    for where, value in walk_datasources(doc, label):
        uid = value.get("uid") if isinstance(value, dict) else value
        if uid not in DATASOURCE_UIDS:
            problems.append("%s: hard-coded datasource %r at %s (use the datasource variable)" % (label, value, where))
    variables = {v.get("name"): v for v in (doc.get("templating") or {}).get("list") or []}
    source = variables.get("datasource")
    if not source or source.get("type") != "datasource" or source.get("query") != "prometheus":
        problems.append("%s: no datasource variable of type datasource with query prometheus" % label)
    # Removed names anywhere in the document text.
    text = json.dumps(doc)
    for removed in REMOVED_VLLM:
        if removed in text:
            problems.append("%s: removed vLLM metric %s" % (label, removed))
    # Expressions.
    for where, expr in expressions(doc):
        try:
            selectors = extract(substitute(expr))[0]
        except PromQLError as error:
            problems.append("%s: %s: expression does not parse: %s" % (label, where, error))
            continue
        for selector in selectors:
            name = selector.name or ""
            if name.startswith("vllm_"):
                problems.append("%s: %s: %s is not a vLLM scrape name (vLLM exports vllm:...)" % (label, where, name))
            if names is not None and name and not known(name, names):
                problems.append("%s: %s: metric %s is in no scrape file" % (label, where, name))
    return problems


def lint(paths, scrapes=None):
    problems = []
    names = None
    if scrapes:
        names = scrape_names(scrapes) | dcgm_names() | NODE_EXPORTER_NAMES
    docs = {}
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                docs[path] = json.load(handle)
        except (OSError, ValueError) as error:
            problems.append("%s: not valid JSON: %s" % (os.path.basename(path), error))
    for path, doc in docs.items():
        problems += lint_document(path, doc, names)
    # Across files.
    uids, titles, tags = {}, {}, set()
    for path, doc in docs.items():
        if not isinstance(doc, dict):
            continue
        label = os.path.basename(path)
        for key, seen in (("uid", uids), ("title", titles)):
            value = doc.get(key)
            if not value:
                problems.append("%s: no %s" % (label, key))
            elif value in seen:
                problems.append("%s: %s %r already used by %s" % (label, key, value, seen[value]))
            else:
                seen[value] = label
        tags |= set(doc.get("tags") or [])
    for path, doc in docs.items():
        if not isinstance(doc, dict):
            continue
        label = os.path.basename(path)
        for link in doc.get("links") or []:
            if link.get("type") == "dashboards":
                missing = set(link.get("tags") or []) - tags
                if not link.get("tags") or missing:
                    problems.append("%s: dashboard link %r names tags no shipped dashboard has: %s"
                                    % (label, link.get("title"), sorted(missing) or "(none)"))
            match = re.match(r"^/d/([^/?]+)", link.get("url") or "")
            if match and match.group(1) not in uids:
                problems.append("%s: link %r points at uid %s, not shipped" % (label, link.get("title"), match.group(1)))
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scrape", action="append", default=[], help="a /metrics scrape the metric names must come from (repeatable)")
    parser.add_argument("paths", nargs="*", help="dashboard files or directories (default: dashboards/*.json)")
    args = parser.parse_args(argv)
    paths = []
    for path in args.paths or [HERE]:
        paths += sorted(glob.glob(os.path.join(path, "*.json"))) if os.path.isdir(path) else [path]
    if not paths:
        print("no dashboard files", file=sys.stderr)
        return 1
    problems = lint(paths, args.scrape)
    for problem in problems:
        print(problem)
    if problems:
        print("%d problem(s) in %d file(s)" % (len(problems), len(paths)), file=sys.stderr)
        return 1
    print("%d dashboard(s) OK" % len(paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
