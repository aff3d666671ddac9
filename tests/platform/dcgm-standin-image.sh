#!/usr/bin/env bash
# Builds the dcgm-exporter STAND-IN image (tests/images/dcgm-exporter-standin,
# a test double: no DCGM, no GPU) that the dcgm_exporter scenario runs in
# place of nvcr.io/nvidia/k8s/dcgm-exporter, and saves it as
# .cache/images/dcgm-exporter-standin.tar, which the scenario loads through the
# role's archive variable, as an air-gapped host would. The recipe is
# image.sh's, shared with the vLLM and LiteLLM images; what is the stand-in's
# own is in tests/images/dcgm-exporter-standin/image.env.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/image.sh" dcgm-exporter-standin "$@"
