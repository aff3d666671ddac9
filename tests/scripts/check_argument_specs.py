# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lint: every role's meta/argument_specs.yml agrees with its defaults.

For each role under roles/ with a meta/argument_specs.yml:

* every public default (defaults/main.yml, or every file of defaults/main/) is
  an option of the ``main`` entry point or of the ``tasks_from`` entry point
  that reads it, and every ``main`` option that is not required has a default
  (roles without ``main``, such as the internal ``common``: every option of
  every entry point);
* a documented ``default:`` equals the real default: the parsed YAML values
  (types included: ``"9100"`` is not ``9100``, ``true`` is not ``1``); a default
  that is a Jinja expression must be the very same string;
* a spec default that is a Jinja expression differing from the role's is a
  defect of its own: argument validation templates it before the role runs,
  so ``"{{ groups['vllm_servers'] }}"`` fails on an inventory without that
  group, whatever the role's own default says;
* a templated role default must not be declared by a literal spec default
  (document it in the description and omit ``default:`` instead), and a
  literal, non-null role default must be declared as the spec default;
* an option that has a role default is not ``required: true``;
* a literal documented default matches the option's ``type`` (and
  ``elements``), and a value from ``choices``.

Variables starting with ``_`` are internal and not compared. Prints one line
per mismatch (role, entry point, variable, spec value, default value) and
exits 1 if there is any.
Usage: check_argument_specs.py [ROLES_DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

MISSING = object()


def _load_yaml(path: Path):
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_defaults(role: Path) -> dict:
    """The role's defaults, merged as Ansible does for defaults/main/."""
    merged: dict = {}
    files = []
    for name in ("main.yml", "main.yaml"):
        if (role / "defaults" / name).is_file():
            files.append(role / "defaults" / name)
    main_dir = role / "defaults" / "main"
    if main_dir.is_dir():
        files.extend(sorted(p for p in main_dir.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file()))
    for path in files:
        data = _load_yaml(path) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: defaults must be a mapping")
        merged.update(data)
    return merged


def is_template(value) -> bool:
    """True for a value that is or holds a Jinja template (lists, mappings)."""
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if isinstance(value, dict):
        return any(is_template(k) or is_template(v) for k, v in value.items())
    if isinstance(value, list):
        return any(is_template(v) for v in value)
    return False


def show(value) -> str:
    if value is MISSING:
        return "(none)"
    return json.dumps(value, sort_keys=True, default=str)


def same_value(a, b) -> bool:
    """Equality of parsed YAML values, with types (True != 1, 1 != 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    return a == b


_TYPES = {
    "str": (str,),
    "path": (str,),
    "raw": (object,),
    "int": (int,),
    "float": (float, int),
    "bool": (bool,),
    "list": (list,),
    "dict": (dict,),
}


def type_problem(option: dict, value) -> str | None:
    """Why a literal default does not fit the option's type, or None."""
    kind = option.get("type", "str")
    allowed = _TYPES.get(kind)
    if allowed is None:
        return None
    if kind in ("int", "float") and isinstance(value, bool):
        return f"default is a bool, type is {kind}"
    if not isinstance(value, allowed):
        return f"default is a {type(value).__name__}, type is {kind}"
    if kind == "list" and "elements" in option:
        element = {"type": option["elements"]}
        for item in value:
            problem = type_problem(element, item)
            if problem:
                return f"list element {show(item)}: {problem}"
    choices = option.get("choices")
    if choices and kind != "list" and value not in choices:
        return f"default {show(value)} is not one of choices {show(choices)}"
    return None


def check_role(role: Path) -> list[str]:
    problems: list[str] = []
    name = role.name

    def report(entry: str, var: str, what: str, spec_value=MISSING, default_value=MISSING):
        problems.append(
            f"{name}: {entry}: {var}: {what} (spec: {show(spec_value)}; defaults: {show(default_value)})"
        )

    specs = (_load_yaml(role / "meta" / "argument_specs.yml") or {}).get("argument_specs") or {}
    defaults = load_defaults(role)
    public_defaults = {k: v for k, v in defaults.items() if not k.startswith("_")}

    # A default belongs to main, or to the tasks_from entry point that reads
    # it (container_engine's load_image); roles without main (common) are
    # compared with all their entry points.
    documented: dict = {}
    for spec in specs.values():
        documented.update((spec or {}).get("options") or {})
    for var, value in public_defaults.items():
        if var not in documented:
            report("main", var, "default not documented in the argument spec", default_value=value)
    for entry, spec in specs.items():
        if entry != "main" and "main" in specs:
            continue
        for var, option in ((spec or {}).get("options") or {}).items():
            option = option or {}
            if not var.startswith("_") and var not in defaults and not option.get("required", False):
                report(entry, var, "documented, not required, but has no role default", option.get("default", MISSING))

    for entry, spec in specs.items():
        for var, option in ((spec or {}).get("options") or {}).items():
            option = option or {}
            spec_value = option.get("default", MISSING)
            default_value = defaults.get(var, MISSING)
            if option.get("required", False) and default_value is not MISSING:
                report(entry, var, "required: true, yet the role has a default", spec_value, default_value)
            if spec_value is MISSING:
                # Omitted means null to ansible-doc and validation: fine for a
                # null or templated default (described instead), not for a literal one.
                if (
                    default_value not in (MISSING, None)
                    and not is_template(default_value)
                    and not option.get("required", False)
                ):
                    report(entry, var, "role default not documented as the spec default", spec_value, default_value)
                continue
            if is_template(spec_value):
                if not same_value(spec_value, default_value):
                    report(
                        entry,
                        var,
                        "spec default is a template other than the role's: argument validation renders it "
                        "before the role runs; omit it and describe the default",
                        spec_value,
                        default_value,
                    )
                continue
            if default_value is MISSING:
                if entry == "main" or "main" not in specs:
                    report(entry, var, "spec default but no role default", spec_value)
                continue
            if is_template(default_value):
                report(
                    entry,
                    var,
                    "role default is a template: omit the spec default and describe it",
                    spec_value,
                    default_value,
                )
                continue
            if not same_value(spec_value, default_value):
                report(entry, var, "spec default differs from the role default", spec_value, default_value)
                continue
            problem = type_problem(option, spec_value)
            if problem:
                report(entry, var, problem, spec_value, default_value)
    return problems


def main(argv: list[str]) -> int:
    roles_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[2] / "roles"
    problems: list[str] = []
    checked = 0
    for role in sorted(p for p in roles_dir.iterdir() if p.is_dir()):
        if not (role / "meta" / "argument_specs.yml").is_file():
            continue
        checked += 1
        problems.extend(check_role(role))
    for line in problems:
        print(line)
    print(f"argument specs: {checked} roles checked, {len(problems)} mismatches")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
