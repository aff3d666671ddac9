#!/usr/bin/env bash
# Builds the LiteLLM proxy image (tests/images/litellm) that molecule scenarios
# and the demo run in place of ghcr.io/berriai/litellm, and saves it as
# .cache/images/litellm.tar. The recipe is image.sh's, shared with the vLLM
# image; what is LiteLLM's own is in tests/images/litellm/image.env.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/image.sh" litellm "$@"
