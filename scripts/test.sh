#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: installs the package with its test extra and,
# when missing, Dovecot (Debian's dovecot-imapd) for the IMAP tests and Chromium (Debian's chromium)
# for the report's browser tests. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

missing=""
command -v dovecot >/dev/null 2>&1 || missing="$missing dovecot-imapd"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"  # the tests' self-signed certificate
[ -x /usr/bin/chromium ] || missing="$missing chromium"  # tests/chromium.py drives /usr/bin/chromium headless
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing for the IMAP and browser tests:$missing"
  $SUDO apt-get update -qq
  # The tests start their own throwaway Dovecot; the package does not start a system one here.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

# Both cores: the tests are independent (each worker starts its own throwaway Dovecot).
exec python3 -m pytest -n 2 "$@"
