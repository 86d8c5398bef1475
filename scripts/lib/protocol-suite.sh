# Runs one of the official Socket.IO protocol test suites (mocha, in Node.js) against the
# conformance app. Sourced by scripts/engine-io-suite and scripts/socket-io-suite, which set:
#   suite_name     e.g. "engine.io-protocol"
#   suite_env      name of the variable that may point at a checkout of its test-suite/ folder
#   suite_mirror   bare git mirror of the suite's repository
#   suite_ref      the ref of that mirror whose test-suite/ folder is used
# The suite hardcodes http://localhost:3000, so the app listens there (both 127.0.0.1 and ::1).
# The suite's files are used from a temporary directory and never copied into this repository.
# Environment: CORIO_CONFORMANCE_APP runs that binary instead of building
# build/apps/conformance/corio_conformance. Extra arguments go to mocha (e.g. --grep upgrade).

# suite_* come from the sourcing script; cleanup runs from the EXIT trap.
# shellcheck disable=SC2154,SC2317
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
suite_port=3000
startup_timeout_s=10

fail() {
  echo "${0##*/}: $*" >&2
  exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/corio-${suite_name}.XXXXXX")
app_pid='' mocha_pid=''
cleanup() {
  [[ -z $mocha_pid ]] || kill "$mocha_pid" 2>/dev/null || true
  if [[ -n $app_pid ]] && kill -0 "$app_pid" 2>/dev/null; then
    kill "$app_pid" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$app_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. The suite's sources.
suite_dir=$work/test-suite
from=${!suite_env:-}
if [[ -n $from ]]; then
  [[ -f $from/test-suite.js && -f $from/package.json ]] ||
    fail "$suite_env=$from is not the suite's test-suite folder (no test-suite.js / package.json)"
  mkdir -p "$suite_dir"
  (cd "$from" && tar -c --exclude=./node_modules .) | tar -x -C "$suite_dir"
  echo "${0##*/}: suite from $from"
elif git --git-dir="$suite_mirror" rev-parse --verify --quiet "$suite_ref^{commit}" >/dev/null 2>&1; then
  git --git-dir="$suite_mirror" archive "$suite_ref" test-suite | tar -x -C "$work"
  echo "${0##*/}: suite from $suite_mirror at $suite_ref" \
    "($(git --git-dir="$suite_mirror" rev-parse --short "$suite_ref^{commit}"))"
else
  cat >&2 <<MSG
${0##*/}: the official $suite_name test suite was not found.
Either point $suite_env at its test-suite/ folder in a checkout of the public
repository socketio/$suite_name (branch ${suite_ref#refs/heads/}), e.g.
  $suite_env=\$HOME/src/$suite_name/test-suite ${0##*/}
or provide a bare mirror of that repository at $suite_mirror (ref $suite_ref).
MSG
  exit 2
fi

# 2. Its npm dependencies (mocha, chai, chai-string, node-fetch, ws), from its own lock.
command -v npm >/dev/null || fail "npm not found: run scripts/setup"
(cd "$suite_dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null) ||
  fail "npm install failed in $suite_dir"

# 3. The app, on the port the suite expects.
app=${CORIO_CONFORMANCE_APP:-}
if [[ -z $app ]]; then
  "$root/scripts/setup" || fail "scripts/setup failed"
  "$root/scripts/build" >"$work/build.log" 2>&1 ||
    { tail -n 40 "$work/build.log" >&2; fail "scripts/build failed (its last lines are above)"; }
  app=$root/build/apps/conformance/corio_conformance
fi
[[ -x $app ]] || fail "conformance app not found or not executable: $app"
if (exec 3<>"/dev/tcp/127.0.0.1/$suite_port") 2>/dev/null; then
  fail "something already listens on port $suite_port; stop it first"
fi

app_log=$work/app.log
"$app" --port "$suite_port" --host localhost >"$app_log" 2>&1 &
app_pid=$!
for ((i = 0; i < startup_timeout_s * 10; i++)); do
  grep -q '^listening on ' "$app_log" && break
  kill -0 "$app_pid" 2>/dev/null || { cat "$app_log" >&2; fail "the app exited before listening"; }
  sleep 0.1
done
grep -q '^listening on ' "$app_log" ||
  { cat "$app_log" >&2; fail "no 'listening on' line from the app within ${startup_timeout_s} s"; }
echo "${0##*/}: $(grep -m1 '^listening on ' "$app_log") ($app)"

# 4. The suite: its package.json runs `mocha test-suite.js`. --exit because sockets that a
# failed test leaves open would otherwise keep mocha waiting forever. Run in the background
# so that an INT/TERM reaches the traps (and stops the app) at once.
status=0
(cd "$suite_dir" && exec ./node_modules/.bin/mocha --exit test-suite.js "$@") &
mocha_pid=$!
wait "$mocha_pid" || status=$?
mocha_pid=

if ! kill -0 "$app_pid" 2>/dev/null; then
  echo "${0##*/}: the app died during the suite; its output:" >&2
  cat "$app_log" >&2
  ((status)) || status=1
fi
exit "$status"
