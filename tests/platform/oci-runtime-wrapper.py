"""OCI runtime wrapper for hosts that can never grant CAP_SYS_RESOURCE.

Some VMs (firecracker sandboxes, hardened CI runners) drop CAP_SYS_RESOURCE from
the bounding set of every process. runc then fails a --privileged container
("unable to apply caps: operation not permitted") and any container whose
rlimits exceed the host's hard limits. This wrapper edits the OCI spec runc is
handed: it removes that one capability and clamps rlimits to what the host can
grant, then executes the real runc. Everything else is passed through untouched.

The platform bootstrap installs it, with a shebang for the host's python3, only
where the condition is detected.
"""
import json
import os
import resource
import sys

REAL_RUNTIME = os.environ.get("VLLM_STACK_REAL_RUNC", "/usr/sbin/runc")
DROPPED_CAP = "CAP_SYS_RESOURCE"


def option_value(args, names):
    for i, arg in enumerate(args):
        for name in names:
            if arg == name and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def clamp_process(process):
    caps = process.get("capabilities") or {}
    for kind, names in caps.items():
        if isinstance(names, list):
            caps[kind] = [n for n in names if n != DROPPED_CAP]
    for rlimit in process.get("rlimits") or []:
        rtype = rlimit.get("type", "")
        res = getattr(resource, rtype, None)
        if res is None:
            continue
        host_hard = resource.getrlimit(res)[1]
        if host_hard == resource.RLIM_INFINITY:
            continue
        rlimit["hard"] = min(rlimit.get("hard", host_hard), host_hard)
        rlimit["soft"] = min(rlimit.get("soft", host_hard), rlimit["hard"])


def rewrite(path, nested):
    try:
        with open(path, encoding="utf-8") as handle:
            spec = json.load(handle)
    except (OSError, ValueError):
        return
    clamp_process(spec.get("process", {}) if nested else spec)
    tmp = path + ".capsafe"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(spec, handle)
    os.replace(tmp, path)


def main():
    args = sys.argv[1:]
    command = next((a for a in args if a in ("create", "run", "exec")), None)
    if command in ("create", "run"):
        bundle = option_value(args, ("--bundle", "-b")) or os.getcwd()
        rewrite(os.path.join(bundle, "config.json"), nested=True)
    elif command == "exec":
        process_file = option_value(args, ("--process", "-p"))
        if process_file:
            rewrite(process_file, nested=False)
    os.execv(REAL_RUNTIME, [REAL_RUNTIME] + args)


if __name__ == "__main__":
    main()
