#!/usr/bin/env bash
# Installs the Debian packages gyre needs, only those missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
set -euo pipefail

packages=(make gcc pkg-config libhwloc-dev liburcu-dev libcmocka-dev libigraph-dev zlib1g-dev)
# Optional extras, installed where asked: GYRE_DEPS_EXTRA="clang gnuplot-nox".
read -r -a extra <<<"${GYRE_DEPS_EXTRA:-}"
packages+=("${extra[@]}")

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "gyre: missing packages: ${missing[*]}" >&2
    echo "gyre: run as root:  apt-get update && $cmd" >&2
    exit 1
fi
echo "gyre: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
$cmd >/dev/null
