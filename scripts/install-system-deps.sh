#!/usr/bin/env bash
# Install the Debian packages the tests need: Chromium (browser tests), espeak-ng (speech) and CJK fonts, and the
# cluster profile's servers (PostgreSQL, Redis, nginx). Services are not started: tests and `make cluster` start
# their own servers on loopback.
set -eu
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
# Chinese and emoji fonts: pages, screenshots and PDFs printed by Chromium need them to show (and hold) text.
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi "color emoji" || need+=(fonts-noto-color-emoji)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "warning: missing ${need[*]}; install them as root (apt-get install ${need[*]})" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# Keep the packages' maintainer scripts from starting system services (an existing policy is left alone).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
