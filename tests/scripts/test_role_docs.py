# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the role reference generator (docs/role_docs.py).

Run: .venv/bin/python -m pytest -q tests/scripts/test_role_docs.py
"""

import os
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "docs"))

import role_docs  # noqa: E402  pylint: disable=wrong-import-position

SPEC = textwrap.dedent("""\
    argument_specs:
      main:
        short_description: A demo role.
        description:
          - Runs C(demo.service) as I(demo).
        options:
          demo_port:
            type: int
            default: 8080
            description: Port, see L(the docs,https://example.invalid/docs).
          demo_token:
            type: str
            default: s3cr3t-default
            no_log: true
            description: The token.
          demo_mode:
            type: str
            choices: [a, b]
            default: a
            description: "Mode | with a pipe, C(x\\\\)y)."
          demo_users:
            type: list
            elements: dict
            required: true
            description: [Users., One per line.]
            options:
              name: {type: str, required: true, description: Login.}
      extra:
        short_description: Another entry point.
    """)


def make_role(tmp_path, spec=SPEC, name="demo"):
    meta = tmp_path / "roles" / name / "meta"
    meta.mkdir(parents=True)
    (meta / "argument_specs.yml").write_text(spec, encoding="utf-8")
    return tmp_path / "roles"


def test_markup_becomes_markdown():
    assert role_docs.markup("C(a) I(b) B(c) V(d) O(e) U(https://x.invalid)") == "`a` *b* **c** `d` `e` <https://x.invalid>"
    assert role_docs.markup("L(the docs, https://x.invalid/a)") == "[the docs](https://x.invalid/a)"
    assert role_docs.markup("C(foo\\)bar) and C(--flag=NAME)") == "`foo)bar` and `--flag=NAME`"


def test_page_lists_every_option_and_hides_secret_defaults(tmp_path):
    page = role_docs.pages(make_role(tmp_path))["demo.md"]
    assert "# `llmops.vllm_stack.demo`" in page
    assert "| `demo_port` | int | `8080` |  | Port, see [the docs](https://example.invalid/docs). |" in page
    assert "| `demo_token` | str | secret (`no_log`) |" in page and "s3cr3t-default" not in page
    assert "| `demo_mode` | str | `a` | `a`, `b` | Mode \\| with a pipe, `x)y`. |" in page
    assert "| `demo_users` | list of dict | **required** |  | Users.<br>One per line. |" in page
    assert "| `demo_users.name` | str | **required** |" in page
    # main first, other entry points after it, each named with how to call it.
    assert page.index("## Variables") < page.index("## Entry point `extra` (`tasks_from: extra`)")


def test_check_reports_stale_and_orphaned_pages_and_write_mends_them(tmp_path, capsys):
    roles = make_role(tmp_path)
    out = tmp_path / "out"
    assert role_docs.main(["--roles", str(roles), "--out", str(out), "--check"]) == 1
    assert role_docs.main(["--roles", str(roles), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "demo.md"]
    assert role_docs.main(["--roles", str(roles), "--out", str(out), "--check"]) == 0
    # A spec change without `make docs`, and a page of a removed role.
    spec = roles / "demo" / "meta" / "argument_specs.yml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("default: 8080", "default: 8081"), encoding="utf-8")
    (out / "gone.md").write_text("old\n", encoding="utf-8")
    capsys.readouterr()
    assert role_docs.main(["--roles", str(roles), "--out", str(out), "--check"]) == 1
    report = capsys.readouterr().out
    assert "docs/roles/demo.md is not what its argument spec gives" in report
    assert "docs/roles/gone.md belongs to no role" in report
    assert role_docs.main(["--roles", str(roles), "--out", str(out)]) == 0
    assert "`8081`" in (out / "demo.md").read_text(encoding="utf-8") and not (out / "gone.md").exists()


def test_every_shipped_role_has_a_current_page():
    """The checked-in pages are what the specs give (the make test stage, as a test)."""
    assert role_docs.main(["--check"]) == 0
