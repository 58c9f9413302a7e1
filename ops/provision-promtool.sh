#!/usr/bin/env bash
# Puts promtool (Prometheus' rule checker) at .tools/promtool/promtool for `npm test`.
#
# Taken from Debian's `prometheus` package without installing it: the package's postinst starts a
# Prometheus server (invoke-rc.d / systemd), which a test run or CI must not leave listening.
# Idempotent: returns at once when a working promtool is already there. Honours $PROMTOOL and a
# promtool on PATH (nothing is downloaded then).
set -euo pipefail
cd "$(dirname "$0")/.."

dest=.tools/promtool
target="$dest/promtool"

works() { [ -n "$1" ] && "$1" --version >/dev/null 2>&1; }

for candidate in "${PROMTOOL:-}" "$target" "$(command -v promtool || true)"; do
  if works "$candidate"; then
    echo "promtool: $candidate ($("$candidate" --version 2>&1 | head -n 1))"
    exit 0
  fi
done

if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
  echo "error: promtool not found and this is not a Debian/Ubuntu machine: install Prometheus' promtool and put it on PATH (or set PROMTOOL)" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt-get download runs as the _apt user where it can; let it write the .deb.
chmod 0777 "$work"
download() { (cd "$work" && apt-get download -q prometheus >/dev/null 2>&1); }
if ! download; then
  echo "promtool: refreshing the package lists (apt-get update)"
  apt-get update -q >/dev/null
  download
fi
deb="$(ls "$work"/prometheus_*.deb)"
dpkg-deb -x "$deb" "$work/root"
mkdir -p "$dest"
install -m 0755 "$work/root/usr/bin/promtool" "$target"
echo "promtool: $target ($("$target" --version 2>&1 | head -n 1), from $(basename "$deb"))"
