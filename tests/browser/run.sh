#!/usr/bin/env bash
# The browser tests of the web pages. Installs what is missing (Debian's chromium
# and chromium-driver, the npm packages, the SMTP sink's Python packages), then starts a real
# SMTP server (tests/interop/smtp_sink.py) and `ohjaus serve` with mail.transport = smtp on
# free ports against a fresh SQLite file filled by the browser_fixture example, and runs
# story.test.js in headless Chromium. Screenshots go to target/screenshots/.
#
#   bash tests/browser/run.sh            # from anywhere in the checkout
#
# Environment: OHJAUS_BIN (the ohjaus binary; default: built here), OHJAUS_INTEROP_PYTHON
# (a Python with tests/interop/requirements.txt; default: a venv under target/), CHROMIUM.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
step() { printf '\n==> browser: %s\n' "$*"; }

step "Chromium"
if ! [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi
"${CHROMIUM:-/usr/bin/chromium}" --version

step "npm packages"
(cd "$here" && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi)

step "Python for the SMTP sink"
python="${OHJAUS_INTEROP_PYTHON:-}"
if [ -z "$python" ]; then
  venv="$root/target/interop-venv"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/interop/requirements.txt
  python="$venv/bin/python"
fi

step "build"
cargo build --quiet -p ohjaus-web --example browser_fixture
bin="${OHJAUS_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --quiet -p ohjaus --bin ohjaus
  bin="$root/target/debug/ohjaus"
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

step "SMTP sink"
mkdir -p "$work/mail"
mkfifo "$work/sink-stdin"
# The sink stops when its standard input closes; this writer keeps it open until cleanup.
sleep 100000 >"$work/sink-stdin" &
pids+=("$!")
"$python" tests/interop/smtp_sink.py --dir "$work/mail" --port 0 <"$work/sink-stdin" >"$work/sink.log" 2>&1 &
pids+=("$!")
smtp_port=""
for _ in $(seq 1 100); do
  smtp_port="$(sed -n 's/^LISTENING \([0-9]*\)$/\1/p' "$work/sink.log")"
  [ -n "$smtp_port" ] && break
  sleep 0.1
done
[ -n "$smtp_port" ] || { cat "$work/sink.log"; echo "the SMTP sink did not start"; exit 1; }
echo "SMTP on 127.0.0.1:$smtp_port"

step "fixture and ohjaus serve"
http_port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$http_port"
database="sqlite://$work/ohjaus.db?mode=rwc"
# The story lives on a fixed date, whatever the day it runs: the fixture and the server's clock
# start at the same moment (a Tuesday morning in February, Helsinki time).
now="2027-02-16T08:00:00Z"
"$root/target/debug/examples/browser_fixture" "$database" "$now" >"$work/fixture.json"
cat "$work/fixture.json"
OHJAUS_DATABASE__URL="$database" \
OHJAUS_HTTP__LISTEN="127.0.0.1:$http_port" \
OHJAUS_HTTP__PUBLIC_URL="$base" \
OHJAUS_MAIL__TRANSPORT=smtp \
OHJAUS_MAIL__SMTP_URL="smtp://127.0.0.1:$smtp_port" \
OHJAUS_WORKER__POLL_INTERVAL_MS=200 \
OHJAUS_SCHEDULE__ENABLED=false \
OHJAUS_CLOCK__START="$now" \
OHJAUS_SECRETS__KEY_FILE="$work/secrets.key" \
  "$bin" serve >"$work/serve.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 150); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "$base/healthz" >/dev/null || { cat "$work/serve.log"; echo "ohjaus serve did not start"; exit 1; }
if ! curl -fsS -o /dev/null "$base/sign-in"; then
  cat "$work/serve.log"
  echo "ohjaus serve does not serve the web pages: merge ohjaus_web::router into its router"
  exit 1
fi

step "story.test.js"
rm -rf "$root/target/screenshots"
mkdir -p "$root/target/screenshots"
status=0
OHJAUS_URL="$base" OHJAUS_MAIL_DIR="$work/mail" OHJAUS_FIXTURE="$work/fixture.json" \
OHJAUS_SCREENSHOTS="$root/target/screenshots" \
  node --test --test-concurrency=1 "$here/story.test.js" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- ohjaus serve log (last 60 lines)"
  tail -n 60 "$work/serve.log"
fi
echo "screenshots: $root/target/screenshots"
exit "$status"
