#!/usr/bin/env bash
# `make test-loaded`: the whole suite (`make test`) RUNS times in a row (default 3) while Debian's stress-ng keeps
# every core busy (`stress-ng --cpu <cores>`), as a shared build agent or a laptop on battery would. Prints the
# wall time and exit status of each run and exits non-zero if any run failed. Not part of `make test` or CI: it
# is the check that the suite does not race the wall clock (see README, "Testing").
set -uo pipefail
cd "$(dirname "$0")/../.."
runs="${RUNS:-3}"
cores="$(nproc)"
if ! command -v stress-ng >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends stress-ng >/dev/null
  else
    echo "test-loaded: stress-ng is missing; install Debian's stress-ng (apt-get install stress-ng) and rerun" >&2
    exit 2
  fi
fi
log_dir="${LOG_DIR:-var/test-loaded}"
mkdir -p "$log_dir"
stress-ng --cpu "$cores" --quiet &
stress_pid=$!
trap 'kill "$stress_pid" 2>/dev/null; wait "$stress_pid" 2>/dev/null' EXIT
failed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  make test >"$log_dir/run-$i.log" 2>&1
  status=$?
  end=$(date +%s)
  summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed)' "$log_dir/run-$i.log" | tail -1)
  echo "run $i/$runs: exit $status, $((end - start)) s wall, stress-ng --cpu $cores, load $(cut -d' ' -f1-3 /proc/loadavg): ${summary:-no summary (see $log_dir/run-$i.log)}"
  [ "$status" = 0 ] || failed=1
done
exit "$failed"
