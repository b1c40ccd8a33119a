#!/usr/bin/env bash
# Installs Debian's chromium (for the browser tests), nginx (for the replica tests), postgresql
# (for the run store's tests and shared store) and fonts-dejavu-core (Greek in drawn labels) when missing. Playwright's own browser
# download does not work on these machines.
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
# A font with Greek letters for the labels drawn into images (ui/figures/images.py label_font)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "note: ${missing[*]} not installed and cannot be installed here (needs root and apt-get);"
    echo "      the tests that need them will be skipped with a reason."
    exit 0
fi
echo "installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
