# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every query of every shipped dashboard is run against live Prometheus by some scenario.

The scenarios that include molecule/shared/dashboard_queries.yml each check
some dashboards (dashboard_queries_files in their verify.yml) and allow the
empties their fleet cannot fill (molecule/<scenario>/dashboard_queries_allowlist.json).
A panel allowed in one scenario must be checked, not allowed, in another:
otherwise nothing proves it. Only the shared allowlist
(tests/scripts/dashboard_queries_allowlist.json: what no test fleet can
fill, each with its reason) may leave a query unproven. Static: reads the
files, runs nothing.

Run: .venv/bin/python -m pytest -q tests/scripts/test_dashboard_coverage.py
"""

import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import dashboard_queries as dq  # noqa: E402  pylint: disable=wrong-import-position

FILES = re.compile(r"dashboard_queries_files:\s*\[([^\]]*)\]")


def scenarios():
    """{scenario: (dashboard file names, Allowlist)} of every scenario that checks dashboards."""
    found = {}
    for verify in sorted(glob.glob(os.path.join(REPO, "molecule", "*", "verify.yml"))):
        directory = os.path.dirname(verify)
        with open(verify, encoding="utf-8") as handle:
            names = [n.strip().strip("'\"") for m in FILES.finditer(handle.read()) for n in m.group(1).split(",")]
        if not names:
            continue
        own = os.path.join(directory, "dashboard_queries_allowlist.json")
        found[os.path.basename(directory)] = (set(names), dq.Allowlist.load([own] if os.path.exists(own) else []))
    return found


def shared_allowlist():
    return dq.Allowlist.load([os.path.join(HERE, "dashboard_queries_allowlist.json")])


def targets(path):
    dashboard = dq.load_dashboard(path)
    for panel in dq.iter_panels(dashboard):
        for target in panel.get("targets") or []:
            if dq.is_prometheus_target(target, panel) and not target.get("hide"):
                ref = target.get("refId") or "A"
                yield ["%s/%s/%s" % (dashboard["uid"], panel.get("title", ""), ref),
                       "%s/%s" % (dashboard["uid"], panel.get("title", ""))]


def test_every_dashboard_is_checked_somewhere():
    checked = set().union(*(files for files, _allow in scenarios().values()))
    shipped = {os.path.basename(p) for p in glob.glob(os.path.join(REPO, "dashboards", "*.json"))}
    assert shipped and shipped <= checked, "not checked by any scenario: %s" % sorted(shipped - checked)


def test_every_query_is_proven_by_a_scenario_that_does_not_allow_it():
    found = scenarios()
    shared = shared_allowlist()
    unproven = []
    for path in sorted(glob.glob(os.path.join(REPO, "dashboards", "*.json"))):
        name = os.path.basename(path)
        checkers = [(s, allow) for s, (files, allow) in found.items() if name in files]
        for keys in targets(path):
            if shared.match(keys):
                continue
            if all(allow.match(keys) for _s, allow in checkers):
                unproven.append("%s (allowed in %s)" % (keys[0], ", ".join(s for s, _a in checkers)))
    assert not unproven, "queries no scenario proves: %s" % unproven


def test_allowlist_entries_match_a_query():
    """An entry that matches no panel is a typo or a leftover."""
    found = scenarios()
    keys = [k for path in glob.glob(os.path.join(REPO, "dashboards", "*.json")) for ks in targets(path) for k in ks]
    for scenario, allow in [(s, a) for s, (_f, a) in found.items()] + [("shared", shared_allowlist())]:
        for entry in allow.entries:
            if entry["pattern"].split("/", 1)[1].startswith("$"):
                continue
            assert any(dq.fnmatch.fnmatchcase(k, entry["pattern"]) for k in keys), (
                "%s: allowlist entry %r matches no dashboard query" % (scenario, entry["pattern"]))
