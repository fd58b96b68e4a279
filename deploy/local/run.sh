#!/usr/bin/env bash
# The main job: brings up PostgreSQL and RabbitMQ, builds and starts the four services, walks the
# sample fund-year (伽师县 2020 resident fund) from postings to a published report, prints where the
# report is, and stops the services (pass --keep to leave them running; infra.sh down stops the rest).
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)
cd "$REPO"

bash deploy/local/infra.sh up
# Ports, credentials and the services' signing key, with which the sample mints its token.
. .local/infra/env.sh
dotnet build PerfEval.sln -c Release -nologo -v quiet
[[ ${1:-} == --keep ]] || trap 'bash deploy/local/services.sh stop' EXIT
# The report's 填报单位 and 填报日期 (伽师县医疗保障局, 2021-02-20) are the seed's own, filed by the sample
# with UpdateEvaluationTexts; the date makes the files byte-identical on every run.
bash deploy/local/services.sh start Release

BASE=${PERFEVAL_PORT_BASE:-5100}
PERFEVAL_LEDGER=http://127.0.0.1:$((BASE + 1)) PERFEVAL_INDICATOR=http://127.0.0.1:$((BASE + 2)) \
PERFEVAL_SCORING=http://127.0.0.1:$((BASE + 3)) PERFEVAL_REPORTING=http://127.0.0.1:$((BASE + 4)) \
PERFEVAL_OUTPUT="$REPO/.local/out" \
    dotnet tools/PerfEval.Sample/bin/Release/net10.0/PerfEval.Sample.dll
