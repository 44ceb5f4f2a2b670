#!/usr/bin/env bash
# Install the Debian packages the tests need: Chromium (browser tests) and espeak-ng (speech).
set -eu
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "warning: missing ${need[*]}; install them as root (apt-get install ${need[*]})" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-noto-cjk fonts-noto-color-emoji >/dev/null
