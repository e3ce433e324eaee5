#!/usr/bin/env bash
# Run the test suite on a fresh machine, on every supported Python it has:
# - the whole suite on the default python3, with the package and its test extra installed and,
#   when missing, Dovecot (Debian's dovecot-imapd) for the IMAP tests and Chromium (Debian's
#   chromium) for the report's browser tests;
# - the fast tests (-m "not dovecot and not chromium") on each other supported Python found under
#   the pyenv versions folder or on PATH, each in its own venv (.venvs/, made here), so a feature
#   one of them lacks fails here rather than on a user's machine. One that is absent is skipped
#   with a note. Extra arguments go to every pytest run.
# Ends with the interpreters used and each one's result; fails when any run failed.
set -uo pipefail
cd "$(dirname "$0")/.."

SUPPORTED_OTHERS="3.10 3.12 3.13"  # besides the default python3; keep in step with pyproject.toml
PYENV_VERSIONS="${PYENV_ROOT:-$HOME/.pyenv}/versions"
VENVS="$PWD/.venvs"

set -e
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
set +e

summary=()
failed=0

version_of() { "$1" -c 'import platform; print(platform.python_version())'; }

# The newest X.Y.* under the pyenv versions folder, else pythonX.Y on PATH; nothing if neither.
find_python() {
  local minor="$1" candidate
  candidate=$(ls -d "$PYENV_VERSIONS/$minor".* 2>/dev/null | grep -E "/$minor\.[0-9]+$" | sort -V | tail -n 1)
  if [ -n "$candidate" ] && [ -x "$candidate/bin/python$minor" ]; then
    echo "$candidate/bin/python$minor"
  elif command -v "python$minor" >/dev/null 2>&1; then
    command -v "python$minor"
  fi
}

default=$(command -v python3)
default_minor=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')

# Both cores: the tests are independent (each worker starts its own throwaway Dovecot).
echo "== Python $(version_of python3) ($default): the whole suite"
start=$SECONDS
python3 -m pytest -n 2 "$@"
rc=$?
if [ $rc -eq 0 ]; then result="passed"; else result="FAILED (pytest exit $rc)"; failed=1; fi
summary+=("Python $(version_of python3): whole suite $result in $((SECONDS - start)) s" "  $default")

for minor in $SUPPORTED_OTHERS; do
  [ "$minor" = "$default_minor" ] && continue
  python=$(find_python "$minor")
  if [ -z "$python" ]; then
    note="Python $minor: skipped, not installed"
    echo "== $note (neither $PYENV_VERSIONS/$minor.* nor python$minor)"
    summary+=("$note" "  (neither $PYENV_VERSIONS/$minor.* nor python$minor)")
    continue
  fi
  version=$(version_of "$python")
  echo "== Python $version ($python): the fast tests, in $VENVS/$version"
  start=$SECONDS
  venv="$VENVS/$version"
  # A venv of its own, the package installed from this checkout as a user would install it.
  if { [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"; } &&
     "$venv/bin/python" -m pip install --quiet --disable-pip-version-check '.[test]'; then
    "$venv/bin/python" -m pytest -n 2 -m "not dovecot and not chromium" -p no:cacheprovider "$@"
    rc=$?
    if [ $rc -eq 0 ]; then result="passed"; else result="FAILED (pytest exit $rc)"; failed=1; fi
  else
    result="FAILED: could not make its venv or install the package there"
    failed=1
  fi
  summary+=("Python $version: fast tests $result in $((SECONDS - start)) s" "  $python")
done

echo
echo "Interpreters used:"
printf '  %s\n' "${summary[@]}"
exit $failed
