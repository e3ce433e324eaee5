#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: installs the package with its test extra and,
# when missing, Dovecot (Debian's dovecot-imapd) for the IMAP tests. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

if ! command -v dovecot >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing Dovecot for the IMAP tests (Debian package dovecot-imapd)..."
  $SUDO apt-get update -qq
  # The tests start their own throwaway Dovecot; keep the package from starting a system one.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dovecot-imapd >/dev/null
fi

exec python3 -m pytest "$@"
