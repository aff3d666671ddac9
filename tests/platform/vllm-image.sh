#!/usr/bin/env bash
# Builds the vLLM CPU image (tests/images/vllm-cpu) that molecule scenarios and
# the demo run in place of vllm/vllm-openai, and saves it as
# .cache/images/vllm-cpu.tar. The recipe is image.sh's, shared with the
# LiteLLM image; what is vLLM's own is in tests/images/vllm-cpu/image.env.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/image.sh" vllm-cpu "$@"
