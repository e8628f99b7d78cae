#!/usr/bin/env bash
# First step of `npm test`: makes sure the Debian packages the tests drive are installed.
#   python3-feedparser, newsboat ... independent feed readers that read our feeds back (test/support/)
#   chromium, fonts-wqy-microhei ... headless browser for the page tests, with a CJK font for Chinese text
#   postgresql ...................... server binaries (/usr/lib/postgresql/*/bin) for the throwaway
#                                     clusters the PostgreSQL store tests start
# Present: one dpkg-query, silent. Missing, as root with apt-get: `apt-get update` once, then installs
# them, saying so. Otherwise: one line naming what to install, and a non-zero exit.
# (`npm run bench` needs nginx-light and wrk as well; the tests do not, so they are not checked here.)
set -euo pipefail

packages=(python3-feedparser newsboat chromium fonts-wqy-microhei postgresql)

missing_packages() {
  local installed
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null | awk '$2 == "installed" { print $1 }' || true)
  for package in "${packages[@]}"; do
    grep -qx "$package" <<<"$installed" || echo "$package"
  done
}

if ! command -v dpkg-query >/dev/null; then
  echo "test tools: not a Debian system; install the equivalents of: ${packages[*]}" >&2
  exit 1
fi

mapfile -t missing < <(missing_packages)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "test tools missing: run \`apt-get install -y ${missing[*]}\` as root, then npm test again" >&2
  exit 1
fi

echo "test tools: installing ${missing[*]} (apt-get update, then apt-get install; a few minutes the first time)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
mapfile -t still_missing < <(missing_packages)
if [ ${#still_missing[@]} -gt 0 ]; then
  echo "test tools: apt-get did not install ${still_missing[*]}" >&2
  exit 1
fi
echo "test tools: installed ${missing[*]}"
