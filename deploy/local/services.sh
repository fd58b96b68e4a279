#!/usr/bin/env bash
# deploy/local/services.sh — starts / stops the four PerfEval services as background processes
# against the private infrastructure of infra.sh (which must be up). Logs: .local/logs/<service>.log
#
#   deploy/local/services.sh start [Debug|Release]   build output must exist (dotnet build)
#   deploy/local/services.sh stop
#
# Ports: gRPC 5101–5104 and HTTP 8101–8104 unless PERFEVAL_PORT_BASE moves them (gRPC = base+1…).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)
RUN=$REPO/.local/run
LOGS=$REPO/.local/logs
BASE=${PERFEVAL_PORT_BASE:-5100}
SERVICES=(Ledger Indicator Scoring Reporting)

grpc_port() { echo $((BASE + $1 + 1)); }
http_port() { echo $((BASE + 3000 + $1 + 1)); }

alive() { # a zombie still answers kill -0 on this VM, so read its state too
    [[ -r /proc/$1/status ]] && ! grep -q '^State:.*Z' "/proc/$1/status"
}

start() {
    local configuration=${1:-Release}
    # shellcheck source=/dev/null
    . "$REPO/.local/infra/env.sh"
    mkdir -p "$RUN" "$LOGS"
    local i name lower dll
    for i in "${!SERVICES[@]}"; do
        name=${SERVICES[$i]}
        lower=${name,,}
        if [[ -f $RUN/$lower.pid ]] && alive "$(cat "$RUN/$lower.pid")"; then
            echo "[services] $lower already runs (pid $(cat "$RUN/$lower.pid"))"
            continue
        fi
        dll=$REPO/services/$name/bin/$configuration/net10.0/PerfEval.$name.dll
        [[ -f $dll ]] || { echo "[services] $dll is missing: run dotnet build -c $configuration first" >&2; exit 1; }
        (
            cd "$REPO/services/$name/bin/$configuration/net10.0"
            export Ports__BindAddress=127.0.0.1
            Ports__Grpc=$(grpc_port "$i"); export Ports__Grpc
            Ports__Http=$(http_port "$i"); export Ports__Http
            export Postgres__ConnectionString="Host=$PERFEVAL_PG_HOST;Port=$PERFEVAL_PG_PORT;Username=$PERFEVAL_PG_USER;Password=$PERFEVAL_PG_PASSWORD"
            export RabbitMq__Host=$PERFEVAL_AMQP_HOST RabbitMq__Port=$PERFEVAL_AMQP_PORT
            export RabbitMq__Username=$PERFEVAL_AMQP_USER RabbitMq__Password=$PERFEVAL_AMQP_PASSWORD
            export Auth__SigningKey=$PERFEVAL_AUTH_SIGNING_KEY
            Services__Ledger=http://127.0.0.1:$(grpc_port 0); export Services__Ledger
            Services__Indicator=http://127.0.0.1:$(grpc_port 1); export Services__Indicator
            Services__Scoring=http://127.0.0.1:$(grpc_port 2); export Services__Scoring
            setsid dotnet "$dll" </dev/null >"$LOGS/$lower.log" 2>&1 &
            echo $! >"$RUN/$lower.pid"
        )
        echo "[services] $lower started (pid $(cat "$RUN/$lower.pid")), gRPC 127.0.0.1:$(grpc_port "$i"), log $LOGS/$lower.log"
    done
}

stop() {
    local name lower pid
    for name in "${SERVICES[@]}"; do
        lower=${name,,}
        [[ -f $RUN/$lower.pid ]] || continue
        pid=$(cat "$RUN/$lower.pid")
        if alive "$pid"; then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
            alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
        fi
        rm -f "$RUN/$lower.pid"
        echo "[services] $lower stopped"
    done
}

case ${1:-} in
    start) start "${2:-Release}" ;;
    stop) stop ;;
    *) echo "usage: $0 start [Debug|Release] | stop" >&2; exit 2 ;;
esac
