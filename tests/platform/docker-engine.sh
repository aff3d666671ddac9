#!/usr/bin/env bash
# Makes sure a docker engine runs here: installs it when only a client exists,
# starts it with or without systemd as PID 1, and, only on hosts that can never
# grant CAP_SYS_RESOURCE, registers the OCI runtime wrapper as the default
# runtime so privileged systemd containers start. Safe to run again and again.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
WRAPPER_DEST=/usr/local/libexec/llmops-vllm-stack/runc-capsafe
DAEMON_JSON=/etc/docker/daemon.json
DOCKERD_LOG=/var/log/llmops-vllm-stack-dockerd.log

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

# systemctl is used only where systemd runs the machine (it ships systemctl);
# anywhere else, a machine without systemd included, dockerd is started directly.
systemctl_runs_services() { [[ $(ps -o comm= -p 1 2>/dev/null) == systemd ]] && command -v systemctl >/dev/null; }

# CAP_SYS_RESOURCE is capability 24: absent from our own bounding set means no
# container on this host can ever be granted it.
host_lacks_sys_resource() {
  local bnd
  bnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
  (( (16#$bnd >> 24 & 1) == 0 ))
}

engine_ready() { as_root docker info >/dev/null 2>&1; }

start_engine() {
  if systemctl_runs_services; then
    as_root systemctl restart docker
  else
    as_root pkill -x dockerd 2>/dev/null && while pgrep -x dockerd >/dev/null; do sleep 0.5; done
    as_root setsid dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  fi
  for _ in $(seq 1 60); do engine_ready && return 0; sleep 1; done
  echo "dockerd did not become ready; last lines of its log:" >&2
  tail -20 "$DOCKERD_LOG" >&2 || true
  return 1
}

# Adds the wrapper runtime to daemon.json key by key; prints "changed" when it did.
register_wrapper() {
  as_root python3 - "$DAEMON_JSON" "$WRAPPER_DEST" <<'EOF'
import json, os, sys
path, wrapper = sys.argv[1:3]
conf = {}
if os.path.exists(path):
    with open(path) as f:
        conf = json.load(f)
before = json.dumps(conf, sort_keys=True)
conf.setdefault("runtimes", {})["capsafe"] = {"path": wrapper}
conf["default-runtime"] = "capsafe"
if json.dumps(conf, sort_keys=True) != before:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(conf, f, indent=2)
    print("changed")
EOF
}

# docker.io comes from the setup step when only a client is present.
"$here/host-tools.sh" --require platform

restart_needed=false
if host_lacks_sys_resource; then
  wrapper=$(printf '#!/usr/bin/python3\n'; cat "$here/oci-runtime-wrapper.py")
  if [[ $wrapper != "$(cat "$WRAPPER_DEST" 2>/dev/null)" ]]; then
    as_root mkdir -p "$(dirname "$WRAPPER_DEST")"
    printf '%s\n' "$wrapper" | as_root tee "$WRAPPER_DEST" >/dev/null
    as_root chmod 0755 "$WRAPPER_DEST"
  fi
  if [[ $(register_wrapper) == changed ]]; then
    echo "host cannot grant CAP_SYS_RESOURCE: registered the runtime wrapper as docker's default runtime"
    restart_needed=true
  fi
fi

if $restart_needed || ! engine_ready; then
  start_engine
fi
echo "docker engine ready: $(as_root docker version -f '{{.Server.Version}}')"
