#!/usr/bin/env bash
# Runs every test of the solution against the private PostgreSQL and RabbitMQ (started once for all
# test projects, stopped at the end unless it was already running), then prints the totals on a
# line of its own:  tests: N passed, N failed
set -uo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)
cd "$REPO"

was_running=0
bash deploy/local/infra.sh status >/dev/null 2>&1 && was_running=1
bash deploy/local/infra.sh up || { echo "tests: 0 passed, 1 failed"; exit 1; }
[[ $was_running == 1 ]] || trap 'bash deploy/local/infra.sh down >/dev/null 2>&1 || true' EXIT
# shellcheck source=/dev/null
. .local/infra/env.sh

mkdir -p .local
log=.local/test-output.log
# The contracts first: a lint error or an unrecorded breaking change fails the run like a build error.
if ! bash deploy/local/check-contracts.sh 2>&1 | tee "$log"; then
    echo "tests: 0 passed, 1 failed"
    exit 1
fi
dotnet build PerfEval.sln -c Release -nologo -v quiet 2>&1 | tee -a "$log"
build_status=${PIPESTATUS[0]}
if [[ $build_status != 0 ]]; then
    echo "tests: 0 passed, 1 failed"
    exit "$build_status"
fi

# The unit and store test projects run side by side; the end-to-end suite runs after them, alone,
# because its durability tests stop the shared broker node (rabbitmqctl stop_app), which would break
# a store test talking to the same node at that moment.
test_status=0
pids=()
for project in tests/*.Tests/*.Tests.csproj; do
    [[ $project == *EndToEnd* ]] && continue
    name=$(basename "$project" .csproj)
    dotnet test "$project" -c Release --no-build -nologo > ".local/test-$name.log" 2>&1 &
    pids+=("$!")
done
for pid in "${pids[@]}"; do wait "$pid" || test_status=1; done
cat .local/test-*.Tests.log | tee -a "$log"
rm -f .local/test-*.Tests.log
dotnet test tests/PerfEval.EndToEnd.Tests -c Release --no-build -nologo 2>&1 | tee -a "$log"
[[ ${PIPESTATUS[0]} == 0 ]] || test_status=1

# One summary line per test assembly: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, …"
read -r passed failed < <(awk '
    /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+/ {
        for (i = 1; i <= NF; i++) {
            if ($i == "Failed:") { v = $(i + 1); gsub(/,/, "", v); f += v }
            if ($i == "Passed:") { v = $(i + 1); gsub(/,/, "", v); p += v }
        }
    }
    END { print p + 0, f + 0 }' "$log")
# A test host that crashed prints no summary: count it as a failure rather than hide it.
if [[ $test_status != 0 && $failed == 0 ]]; then failed=1; fi
echo "tests: $passed passed, $failed failed"
exit "$test_status"
