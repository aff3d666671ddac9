#!/usr/bin/env bash
# For a machine with real NVIDIA GPUs (the GPU machine some tasks are lent):
# captures the outputs the nvidia_driver role and the stand-ins rely on,
# into OUT (default $OUT or ./gpu-capture), and checks them against the
# parsers in plugins/module_utils/nvidia.py when python3 is there.
# Read-only: it installs, loads and restarts nothing.
#   tests/gpu/capture-real-gpu.sh [OUT]
set -uo pipefail
out=${1:-${OUT:-gpu-capture}}
mkdir -p "$out"
here=$(cd "$(dirname "$0")/../.." && pwd)
run() { local name=$1; shift; { "$@"; echo "rc=$?"; } >"$out/$name.txt" 2>&1; }
run smi-L nvidia-smi -L
run smi-query nvidia-smi --query-gpu=index,uuid,name,memory.total,driver_version,pci.bus_id --format=csv,noheader,nounits
run smi-query-header nvidia-smi --query-gpu=index,uuid,name,memory.total,driver_version,pci.bus_id --format=csv
run smi-table nvidia-smi
run proc-version cat /proc/driver/nvidia/version
run nvswitch ls -la /proc/driver/nvidia-nvswitch/devices
run sb-state mokutil --sb-state
# shellcheck disable=SC2016 # expanded by the inner sh
run pci sh -c 'for d in /sys/bus/pci/devices/*; do [ "$(cat $d/vendor)" = 0x10de ] && echo "${d##*/} $(cat $d/class)"; done'
run cdi-list nvidia-ctk cdi list
# shellcheck disable=SC2016
run docker-runtimes docker info --format '{{json .Runtimes}}'
if command -v python3 >/dev/null; then
  PYTHONPATH=$here/plugins/module_utils python3 - "$out" <<'PY' >"$out/parsed.txt" 2>&1
import sys, pathlib
import nvidia
out = pathlib.Path(sys.argv[1])
text = lambda name: (out / (name + '.txt')).read_text().rsplit('rc=', 1)[0]
print('gpus:', nvidia.parse_gpu_query(text('smi-query')))
print('loaded:', nvidia.parse_proc_version(text('proc-version')))
PY
fi
echo "captured into $out:"; ls "$out"
