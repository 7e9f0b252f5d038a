#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder's image (Ubuntu): it installs Node and
# nic-lab's grading install. The zip holds this file, run_autograder, nic-lab.env, the lab folder,
# the hidden scenarios and nic-lab itself (make-zip.sh puts them together).
set -euo pipefail
NODE_VERSION="${NODE_VERSION:-22.12.0}"
cd /autograder/source
apt-get update -qq && apt-get install -y -qq curl xz-utils ca-certificates >/dev/null
curl -fsSL "https://nodejs.org/dist/v$NODE_VERSION/node-v$NODE_VERSION-linux-x64.tar.xz" | tar -xJ -C /usr/local --strip-components=1
# Only what grading needs: the prebuilt wasm ships in nic-lab/, so no AssemblyScript or web packages.
(cd nic-lab && npm ci --omit=dev --no-audit --no-fund)
