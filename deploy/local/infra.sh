#!/usr/bin/env bash
# deploy/local/infra.sh — a PRIVATE PostgreSQL cluster and a PRIVATE RabbitMQ node on 127.0.0.1,
# for local runs and CI. No systemd, no Docker: both run as plain background processes whose data,
# logs and PIDs live under <repo>/.local/infra/.
#
#   deploy/local/infra.sh up       start both (installs missing packages with apt; idempotent)
#   deploy/local/infra.sh down     stop both, plus the epmd this script started
#   deploy/local/infra.sh status   show what runs where (exit 0 only if both run)
#
# After `up`:  source .local/infra/env.sh   (ports, credentials, connection strings)
#
# Environment knobs:
#   PERFEVAL_PG_PORT (55432), PERFEVAL_AMQP_PORT (55672)  first port tried; walks upward if taken
#   PERFEVAL_RABBITMQ_DIST_PORT   Erlang distribution port (default: derived from the AMQP port)
#   PERFEVAL_RABBITMQ_NODENAME (perfeval-<hash of the repo path>@localhost)  Erlang node name
#   PERFEVAL_INFRA_TIMEOUT (90)   seconds `up` may take before it gives up
#   INSTALL_FONTS=0               skip fonts-noto-cjk (installed by default: report charts need a CJK font)
#
# Runs non-interactively (CI=true, no stdin). Must run as root when anything needs installing, and
# as root it runs PostgreSQL as the `postgres` user (PostgreSQL refuses to run as root).
# shellcheck disable=SC2016,SC2015  # single-quoted awk/sh programs; `a && b || true` guards
set -euo pipefail
umask 022 # the postgres user must be able to traverse the folders root creates

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(git -C "$SCRIPT_DIR" rev-parse --show-toplevel 2>/dev/null) || REPO=$(cd "$SCRIPT_DIR/../.." && pwd)
# pg_ctl fails if it cannot read the current directory, and the postgres user may not be able to
# read the caller's; every path below is absolute, so just leave it.
cd /

INFRA=$REPO/.local/infra
ENV_FILE=$INFRA/env.sh
LOCK_FILE=$INFRA/.lock

PG_DIR=$INFRA/postgres        # owned by the postgres user, mode 0700
PGDATA=$PG_DIR/data
PG_LOG=$PG_DIR/postgres.log
PG_USER=postgres
PG_PASSWORD=postgres

RMQ_DIR=$INFRA/rabbitmq
RMQ_HOME=$RMQ_DIR/home        # private HOME shared by server and CLI (holds .erlang.cookie)
RMQ_STATE=$RMQ_DIR/state.sh   # ports + wrapper PID of the node we started
RMQ_PID_FILE=$RMQ_DIR/rabbitmq.pid
RMQ_OUT=$RMQ_DIR/server.out   # stdout/stderr of rabbitmq-server
RMQ_BIN=/usr/lib/rabbitmq/bin # the real scripts; /usr/sbin wrappers would switch to user rabbitmq
# One node name per checkout (a hash of its path), so two clones on one machine never clash;
# @localhost: the hostname need not resolve.
RMQ_NODE=${PERFEVAL_RABBITMQ_NODENAME:-perfeval-$(printf '%s' "$REPO" | cksum | cut -d' ' -f1)@localhost}
EPMD_PID_FILE=$RMQ_DIR/epmd.pid
EPMD_PORT=${ERL_EPMD_PORT:-4369}
# rabbitmqctl & co. always take their own distribution port from 35672..35682 (rabbitmq-env).
RMQ_CTL_DIST_MIN=35672 RMQ_CTL_DIST_MAX=35682

DEADLINE_S=${PERFEVAL_INFRA_TIMEOUT:-90}
T0=${EPOCHREALTIME/./}        # microseconds

log() { printf '[infra] %s\n' "$*" >&2; }
die() {
    printf '[infra] ERROR: %s\n' "$*" >&2
    [[ ${CMD:-} != up ]] || printf '[infra] logs are under %s; `%s down` stops what did start\n' "$INFRA" "$0" >&2
    exit 1
}

elapsed() { # seconds since start, one decimal
    local us=$(( ${EPOCHREALTIME/./} - T0 ))
    printf '%d.%d' $((us / 1000000)) $((us % 1000000 / 100000))
}
remaining() { # whole seconds left before the deadline (at least 1)
    local left=$(( DEADLINE_S - (${EPOCHREALTIME/./} - T0) / 1000000 ))
    (( left > 0 )) && echo "$left" || echo 1
}
past_deadline() { (( (${EPOCHREALTIME/./} - T0) / 1000000 >= DEADLINE_S )); }

show_tail() { # $1 = title, $2.. = files; prints the last lines of each that exists
    local title=$1 f; shift
    for f in "$@"; do
        [[ -s $f ]] || continue
        printf '[infra] ---- %s: last lines of %s ----\n' "$title" "$f" >&2
        tail -n 30 "$f" >&2 || true
    done
}

# ---------------------------------------------------------------------------------------------
# Processes and ports. No fork in the hot paths so that a reused `up` stays far below 0.5 s.
# ---------------------------------------------------------------------------------------------

# PID 1 on this VM reaps slowly, so `kill -0` succeeds on zombies: a process only counts as alive
# when /proc/PID/status exists and its State is not Z (zombie) or X (dead).
is_alive() {
    local pid=${1:-} key val
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    while IFS=$': \t' read -r key val _; do
        [[ $key == State ]] && { [[ $val != Z && $val != X ]]; return; }
    done 2>/dev/null <"/proc/$pid/status" || return 1
    return 1
}

# Alive and running the expected executable (guards against a recycled PID). $2 = /proc/PID/comm.
is_our_process() {
    local pid=${1:-} comm=
    is_alive "$pid" || return 1
    read -r comm 2>/dev/null <"/proc/$pid/comm" || return 1
    [[ $comm == "$2" ]]
}

# Every TCP socket (IPv4 and IPv6) whose local port is $1; $2 = awk condition on the state column.
# /proc/net/tcp instead of ss/netstat/nc: a fresh Debian may have none of them.
_port_sockets() {
    local hex files=()
    printf -v hex ':%04X' "$1"
    [[ -r /proc/net/tcp ]] && files+=(/proc/net/tcp)
    [[ -r /proc/net/tcp6 ]] && files+=(/proc/net/tcp6)
    ((${#files[@]})) || return 1
    awk -v h="$hex" "FNR > 1 && substr(\$2, length(\$2) - 4) == h && ($2) { found = 1 } END { exit !found }" "${files[@]}"
}
# A port counts as taken when any socket but a TIME_WAIT one (06) uses it locally.
port_taken() { _port_sockets "$1" '$4 != "06"'; }
port_listening() { _port_sockets "$1" '$4 == "0A"'; }

# A real TCP connect, as clients will do it.
tcp_accepts() { (: <>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------------------------
POLICY_RC=/usr/sbin/policy-rc.d
POLICY_RC_CREATED=0
cleanup() {
    # Remove the policy-rc.d we created even when apt failed half-way.
    if (( POLICY_RC_CREATED )); then rm -f "$POLICY_RC"; fi
}
trap cleanup EXIT

pg_installed() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }

ensure_packages() {
    local pkgs=()
    [[ -x $RMQ_BIN/rabbitmq-server ]] || pkgs+=(rabbitmq-server)
    pg_installed || pkgs+=(postgresql)
    if [[ ${INSTALL_FONTS:-1} == 1 ]] &&
        ! dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'ok installed'; then
        pkgs+=(fonts-noto-cjk)
    fi
    ((${#pkgs[@]})) || return 0
    (( EUID == 0 )) || die "missing packages: ${pkgs[*]} — install them or run this script as root"

    log "installing ${pkgs[*]} with apt (one-time)…"
    # Without systemd, the rabbitmq-server postinst would start a system broker on *:5672.
    # A policy-rc.d that exits 101 tells invoke-rc.d "do not start services". Some images
    # (Docker-derived) already ship one; only create — and later remove — our own.
    if [[ ! -e $POLICY_RC ]]; then
        printf '#!/bin/sh\n# Temporary, from deploy/local/infra.sh: do not start services during apt.\nexit 101\n' >"$POLICY_RC"
        chmod 755 "$POLICY_RC"
        POLICY_RC_CREATED=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    local apt_opts=(-o DPkg::Lock::Timeout=120 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    apt-get "${apt_opts[@]}" update -qq || die "apt-get update failed"
    apt-get "${apt_opts[@]}" install -y -qq "${pkgs[@]}" >"$INFRA/apt.log" 2>&1 || {
        show_tail "apt-get install" "$INFRA/apt.log"
        die "apt-get install ${pkgs[*]} failed"
    }
    cleanup
    POLICY_RC_CREATED=0
    log "installed ${pkgs[*]} ($(elapsed)s)"
}

# ---------------------------------------------------------------------------------------------
# Port selection
# ---------------------------------------------------------------------------------------------

# RabbitMQ's default distribution port is AMQP port + 20000, which overflows for ports above
# 45535 (our default 55672 → 75672). In that case use AMQP port − 10000 (55672 → 45672).
dist_port_for() {
    if [[ -n ${PERFEVAL_RABBITMQ_DIST_PORT:-} ]]; then echo "$PERFEVAL_RABBITMQ_DIST_PORT"
    elif (( $1 + 20000 <= 65535 )); then echo $(($1 + 20000))
    else echo $(($1 - 10000)); fi
}

# First port from $1 upward that nobody uses.
pick_pg_port() {
    local p=$1
    for ((; p <= 65535; p++)); do
        port_taken "$p" || { echo "$p"; return 0; }
    done
    return 1
}

# Sets AMQP_PORT and DIST_PORT: both free, neither the PostgreSQL port, dist not in the CLI range.
pick_amqp_ports() {
    local p=$1 avoid=$2 d
    # A fixed dist port that is taken cannot be walked around.
    [[ -z ${PERFEVAL_RABBITMQ_DIST_PORT:-} ]] || ! port_taken "$PERFEVAL_RABBITMQ_DIST_PORT" || return 1
    for ((; p <= 65535; p++)); do
        d=$(dist_port_for "$p")
        (( p != avoid && d != avoid && d != p )) || continue
        (( d < RMQ_CTL_DIST_MIN || d > RMQ_CTL_DIST_MAX )) || continue
        (( d >= 1024 && d <= 65535 )) || continue
        port_taken "$p" || port_taken "$d" || { AMQP_PORT=$p DIST_PORT=$d; return 0; }
    done
    return 1
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------
PG_ACCESS=runuser # or "cap" — see pg_prepare_access

# The command prefix that runs something as the postgres user (empty when we are not root).
# "cap" adds only CAP_DAC_READ_SEARCH (read/traverse any folder), for when the repo sits under a
# 0700 folder such as /root that postgres cannot enter; everything else stays unprivileged.
pg_prefix() {
    if (( EUID != 0 )); then PG_PREFIX=()
    elif [[ $PG_ACCESS == cap ]]; then
        PG_PREFIX=(setpriv --reuid="$PG_USER" --regid="$PG_USER" --init-groups
            --inh-caps=+dac_read_search --ambient-caps=+dac_read_search --)
    else PG_PREFIX=(runuser -u "$PG_USER" --); fi
}
as_pg() { pg_prefix; "${PG_PREFIX[@]}" "$@"; }

# Really create a file as postgres: `test -w` ignores capabilities and so cannot tell.
pg_probe() { as_pg sh -c 'f="$1/.probe.$$" && : >"$f" && rm -f "$f"' _ "$PG_DIR" 2>/dev/null; }

pg_prepare_access() {
    if (( EUID == 0 )); then
        if ! id -u "$PG_USER" >/dev/null 2>&1; then
            log "creating system user $PG_USER"
            useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash "$PG_USER"
        fi
        mkdir -p "$PG_DIR"
        chown "$PG_USER:$PG_USER" "$PG_DIR"
    else
        mkdir -p "$PG_DIR"
    fi
    chmod 700 "$PG_DIR"
    PG_ACCESS=runuser
    pg_probe && return 0
    PG_ACCESS=cap
    pg_probe && { log "postgres cannot reach $PG_DIR on its own; granting it CAP_DAC_READ_SEARCH"; return 0; }
    die "the postgres user cannot write to $PG_DIR, even with CAP_DAC_READ_SEARCH"
}

pg_bin_dir() {
    local ver
    if [[ -r $PGDATA/PG_VERSION ]]; then
        read -r ver <"$PGDATA/PG_VERSION"
        [[ -x /usr/lib/postgresql/$ver/bin/initdb ]] ||
            die "$PGDATA was created by PostgreSQL $ver, which is not installed; delete $PG_DIR to start afresh"
        echo "/usr/lib/postgresql/$ver/bin"
    else
        # Newest installed major version.
        compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1 | xargs dirname
    fi
}

# Prints "PID PORT" of our postmaster when it runs.
pg_running() {
    local lines=()
    [[ -r $PGDATA/postmaster.pid ]] || return 1
    mapfile -t lines 2>/dev/null <"$PGDATA/postmaster.pid" || return 1
    is_our_process "${lines[0]:-}" postgres || return 1
    echo "${lines[0]} ${lines[3]:-?}"
}

pg_write_config() {
    cat >"$PGDATA/perfeval.conf" <<EOF
# Written by deploy/local/infra.sh at every start; change the script, not this file.
listen_addresses = '127.0.0.1'
port = $PG_PORT
# TCP only: no socket in /var/run/postgresql and no 107-character socket path limit.
unix_socket_directories = ''
max_connections = 300
password_encryption = 'scram-sha-256'

# TEST/DEV INFRA ONLY — trades crash safety for speed. A crash can corrupt this cluster, which is
# fine for throw-away test data. Production PostgreSQL must NEVER run with these three settings.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    (( EUID != 0 )) || chown "$PG_USER:$PG_USER" "$PGDATA/perfeval.conf"
}

pg_initdb() {
    local bin=$1 pwfile=$PG_DIR/.pwfile
    log "initialising PostgreSQL cluster in $PGDATA"
    as_pg rm -rf "$PGDATA" # leftovers of an interrupted initdb
    as_pg sh -c 'umask 077 && printf "%s\n" "$1" >"$2"' _ "$PG_PASSWORD" "$pwfile"
    # Password auth for everything (scram-sha-256), superuser "postgres" with password "postgres".
    if ! as_pg "$bin/initdb" -D "$PGDATA" -U "$PG_USER" --pwfile="$pwfile" --auth=scram-sha-256 \
        -E UTF8 --no-locale --no-sync >"$INFRA/initdb.log" 2>&1; then
        rm -f "$pwfile"
        show_tail initdb "$INFRA/initdb.log"
        die "initdb failed"
    fi
    rm -f "$pwfile"
    # Our settings live in perfeval.conf, included last so they win over the defaults.
    echo "include 'perfeval.conf'" >>"$PGDATA/postgresql.conf"
}

pg_start() {
    local bin
    bin=$(pg_bin_dir)
    [[ -r $PGDATA/PG_VERSION ]] || pg_initdb "$bin"
    pg_write_config
    # setsid: the postmaster gets its own session, so it survives when a CI step kills the
    # caller's process group. -w: pg_ctl returns once the server accepts connections.
    pg_prefix
    if ! setsid -w "${PG_PREFIX[@]}" "$bin/pg_ctl" -D "$PGDATA" -l "$PG_LOG" -w -t "$(remaining)" start \
        </dev/null >"$INFRA/pg_ctl.log" 2>&1 9>&-; then
        show_tail "pg_ctl start" "$INFRA/pg_ctl.log" "$PG_LOG"
        die "PostgreSQL did not start on 127.0.0.1:$PG_PORT"
    fi
}

# Accepts connections AND the password works (what the tests will do).
pg_wait_ready() {
    local bin out=
    bin=$(pg_bin_dir)
    until out=$(PGPASSWORD=$PG_PASSWORD PGCONNECT_TIMEOUT=3 "$bin/psql" -X -q -t -A -w \
        -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -c 'select 1' 2>&1) && [[ $out == 1 ]]; do
        if past_deadline; then
            printf '[infra] last psql output: %s\n' "$out" >&2
            show_tail PostgreSQL "$PG_LOG"
            die "PostgreSQL on 127.0.0.1:$PG_PORT not ready within ${DEADLINE_S}s"
        fi
        pg_running >/dev/null || { show_tail PostgreSQL "$PG_LOG"; die "PostgreSQL exited during start-up"; }
        sleep 0.2
    done
}

pg_stop() {
    local info pid bin i
    info=$(pg_running) || { log "PostgreSQL: not running"; return 0; }
    pid=${info%% *}
    pg_prepare_access
    bin=$(pg_bin_dir)
    # fast = roll back open transactions and disconnect clients, then shut down cleanly.
    as_pg "$bin/pg_ctl" -D "$PGDATA" -m fast -w -t 30 stop >/dev/null 2>&1 ||
        log "pg_ctl stop failed; signalling $pid"
    for ((i = 0; i < 100; i++)); do is_alive "$pid" || break; sleep 0.1; done
    if is_alive "$pid"; then kill -QUIT "$pid" 2>/dev/null || true; sleep 1; fi
    if is_alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    log "PostgreSQL: stopped (pid $pid)"
}

# ---------------------------------------------------------------------------------------------
# RabbitMQ
# ---------------------------------------------------------------------------------------------

# The environment for both server and CLI: everything points into $RMQ_DIR, so /etc/rabbitmq and
# /var/lib/rabbitmq are never used, and the Erlang distribution stays on 127.0.0.1.
rmq_env() {
    RMQ_ENV=(
        HOME="$RMQ_HOME"
        RABBITMQ_NODENAME="$RMQ_NODE"
        RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
        RABBITMQ_NODE_PORT="${AMQP_PORT:-}"
        RABBITMQ_DIST_PORT="${DIST_PORT:-}"
        RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"     # empty: ignore /etc/rabbitmq/rabbitmq-env.conf
        RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
        RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config" # absent: ignore /etc/rabbitmq/advanced.config
        RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
        RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia"
        RABBITMQ_LOG_BASE="$RMQ_DIR/log"
        RABBITMQ_PID_FILE="$RMQ_PID_FILE"
        ERL_EPMD_ADDRESS=127.0.0.1
        ERL_EPMD_PORT="$EPMD_PORT"
        ERL_CRASH_DUMP="$RMQ_DIR/erl_crash.dump"                # not into the current folder (/)
        # Distribution on loopback only; +sbwt none: no scheduler busy-waiting on shared CPUs.
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} +sbwt none +sbwtdcpu none +sbwtdio none"
    )
}

rmqctl() { # rabbitmqctl against our node; $1 = timeout in seconds
    local t=$1; shift
    rmq_env
    timeout "$t" env "${RMQ_ENV[@]}" "$RMQ_BIN/rabbitmqctl" -q -n "$RMQ_NODE" "$@"
}

rmq_load_state() {
    RMQ_WRAPPER_PID='' RMQ_BEAM_PID='' RMQ_AMQP_PORT='' RMQ_DIST_PORT=''
    # shellcheck source=/dev/null
    [[ -r $RMQ_STATE ]] && source "$RMQ_STATE"
    [[ -r $RMQ_PID_FILE ]] && read -r RMQ_BEAM_PID 2>/dev/null <"$RMQ_PID_FILE" || true
}

# True while the node we started (its beam.smp, or the rabbitmq-server wrapper during boot) lives.
rmq_running() {
    rmq_load_state
    is_our_process "$RMQ_BEAM_PID" beam.smp || is_our_process "$RMQ_WRAPPER_PID" rabbitmq-server
}

rmq_prepare_files() {
    mkdir -p "$RMQ_HOME" "$RMQ_DIR/mnesia" "$RMQ_DIR/log"
    chmod 700 "$RMQ_HOME"
    : >"$RMQ_DIR/rabbitmq-env.conf"
    echo '[].' >"$RMQ_DIR/enabled_plugins" # no plugins (management adds ~5 s to every shutdown)
    cat >"$RMQ_DIR/rabbitmq.conf" <<'EOF'
# Written by deploy/local/infra.sh. Address and port come from RABBITMQ_NODE_IP_ADDRESS /
# RABBITMQ_NODE_PORT in the environment. guest/guest may log in from 127.0.0.1 only (default).
loopback_users.guest = true
log.file.level = info
log.console = false
EOF
    # Server and CLI authenticate to each other with this cookie; Erlang demands mode 400.
    if [[ ! -s $RMQ_HOME/.erlang.cookie ]]; then
        rm -f "$RMQ_HOME/.erlang.cookie"
        (umask 077 && od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F >"$RMQ_HOME/.erlang.cookie")
    fi
    chmod 400 "$RMQ_HOME/.erlang.cookie"
}

# epmd (Erlang port mapper) outlives the node if Erlang starts it, so start it ourselves on
# 127.0.0.1 and remember its PID. If an epmd already listens on the port, share it.
epmd_ensure() {
    local pid='' epmd i
    [[ -r $EPMD_PID_FILE ]] && read -r pid <"$EPMD_PID_FILE"
    is_our_process "$pid" epmd && return 0
    rm -f "$EPMD_PID_FILE"
    port_listening "$EPMD_PORT" && { log "using the epmd already listening on port $EPMD_PORT"; return 0; }
    epmd=$(command -v epmd || compgen -G '/usr/lib/erlang/erts-*/bin/epmd' | head -n 1) || die "epmd not found"
    # Foreground mode in our own background job (not -daemon), so $! is epmd itself.
    ERL_EPMD_PORT=$EPMD_PORT setsid "$epmd" -address 127.0.0.1 </dev/null >>"$RMQ_DIR/epmd.log" 2>&1 9>&- &
    echo "$!" >"$EPMD_PID_FILE"
    for ((i = 0; i < 50; i++)); do port_listening "$EPMD_PORT" && return 0; sleep 0.1; done
    show_tail epmd "$RMQ_DIR/epmd.log"
    die "epmd did not start on 127.0.0.1:$EPMD_PORT"
}

rmq_start() {
    rmq_prepare_files
    epmd_ensure
    rm -f "$RMQ_PID_FILE"
    rmq_env
    printf '\n===== %s: starting %s on 127.0.0.1:%s (dist %s) =====\n' \
        "$(date '+%F %T')" "$RMQ_NODE" "$AMQP_PORT" "$DIST_PORT" >>"$RMQ_OUT"
    # setsid: own session, survives the caller's process group; detached from our stdin/stdout.
    setsid env "${RMQ_ENV[@]}" "$RMQ_BIN/rabbitmq-server" </dev/null >>"$RMQ_OUT" 2>&1 9>&- &
    printf 'RMQ_WRAPPER_PID=%s\nRMQ_AMQP_PORT=%s\nRMQ_DIST_PORT=%s\n' "$!" "$AMQP_PORT" "$DIST_PORT" >"$RMQ_STATE"
}

rmq_fail() {
    show_tail RabbitMQ "$RMQ_OUT" "$RMQ_DIR/log/$RMQ_NODE.log"
    die "$1"
}

rmq_wait_ready() {
    local out
    # 1) the AMQP listener is up (it opens late in the boot sequence)…
    until port_listening "$AMQP_PORT"; do
        rmq_running || rmq_fail "RabbitMQ exited during start-up"
        past_deadline && rmq_fail "RabbitMQ did not open 127.0.0.1:$AMQP_PORT within ${DEADLINE_S}s"
        sleep 0.2
    done
    # 2) …and the node says it has fully booted.
    out=$(rmqctl "$(remaining)" await_startup 2>&1) ||
        { printf '%s\n' "$out" >&2; rmq_fail "rabbitmqctl await_startup failed"; }
}

rmq_stop() {
    local pids=() pid i
    rmq_running || { log "RabbitMQ: not running"; return 0; }
    AMQP_PORT=$RMQ_AMQP_PORT DIST_PORT=$RMQ_DIST_PORT
    for pid in "$RMQ_BEAM_PID" "$RMQ_WRAPPER_PID"; do is_alive "$pid" && pids+=("$pid"); done
    rmqctl 30 stop >/dev/null 2>&1 || log "rabbitmqctl stop failed; signalling ${pids[*]}"
    # Wait on /proc ourselves: `rabbitmqctl stop <pidfile>` would also wait for zombies.
    for pid in "${pids[@]}"; do
        for ((i = 0; i < 150; i++)); do is_alive "$pid" || break; sleep 0.1; done
    done
    for pid in "${pids[@]}"; do is_alive "$pid" && kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for ((i = 0; i < 50; i++)); do is_alive "$pid" || break; sleep 0.1; done
        is_alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
    done
    rm -f "$RMQ_PID_FILE" "$RMQ_STATE"
    log "RabbitMQ: stopped (pid ${pids[*]})"
}

epmd_stop() {
    local pid='' epmd names
    [[ -r $EPMD_PID_FILE ]] && read -r pid <"$EPMD_PID_FILE"
    is_our_process "$pid" epmd || { rm -f "$EPMD_PID_FILE"; return 0; }
    # Leave it alone if some other Erlang node registered with it meanwhile.
    epmd=$(readlink -f "/proc/$pid/exe" 2>/dev/null) || epmd=epmd
    names=$(ERL_EPMD_PORT=$EPMD_PORT "$epmd" -names 2>/dev/null | grep -c '^name ' || true)
    if (( names > 0 )); then
        log "epmd (pid $pid): still serving $names other node(s); left running"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    rm -f "$EPMD_PID_FILE"
    log "epmd: stopped (pid $pid)"
}

# ---------------------------------------------------------------------------------------------
# env.sh and commands
# ---------------------------------------------------------------------------------------------
write_env_file() {
    local tmp=$ENV_FILE.tmp.$$ key_file=$INFRA/auth-signing-key
    # The services' token signing key (Auth__SigningKey): random, made once per checkout, kept in
    # the ignored .local folder with the other local secrets, never in the repository.
    if [[ ! -s $key_file ]]; then
        (umask 077; head -c 48 /dev/urandom | base64 -w0 >"$key_file")
    fi
    cat >"$tmp" <<EOF
# Written by deploy/local/infra.sh up — source it:  . .local/infra/env.sh
export PERFEVAL_PG_HOST=127.0.0.1
export PERFEVAL_PG_PORT=$PG_PORT
export PERFEVAL_PG_USER=$PG_USER
export PERFEVAL_PG_PASSWORD=$PG_PASSWORD
export PERFEVAL_PG_ADMIN_CONNECTION="Host=127.0.0.1;Port=$PG_PORT;Username=$PG_USER;Password=$PG_PASSWORD;Database=postgres"
export PERFEVAL_AMQP_HOST=127.0.0.1
export PERFEVAL_AMQP_PORT=$AMQP_PORT
export PERFEVAL_AMQP_USER=guest
export PERFEVAL_AMQP_PASSWORD=guest
export PERFEVAL_AMQP_URI=amqp://guest:guest@127.0.0.1:$AMQP_PORT/
# For tools and tests that drive the broker itself (e.g. an outage test: rabbitmqctl stop_app):
export PERFEVAL_RABBITMQ_NODE=$RMQ_NODE
export PERFEVAL_RABBITMQ_HOME=$RMQ_HOME
export PERFEVAL_RABBITMQCTL=$RMQ_BIN/rabbitmqctl
# Signs and checks the JWT bearer tokens of the local services, the sample and the tests:
export PERFEVAL_AUTH_SIGNING_KEY='$(cat "$key_file")'
EOF
    # Rewrite only when it changed, so a reused `up` touches nothing.
    if cmp -s "$tmp" "$ENV_FILE" 2>/dev/null; then rm -f "$tmp"; else mv -f "$tmp" "$ENV_FILE"; fi
}

cmd_up() {
    local pg_info='' mode=reused want_pg=${PERFEVAL_PG_PORT:-55432} want_amqp=${PERFEVAL_AMQP_PORT:-55672}
    mkdir -p "$INFRA"
    # One `up`/`down` at a time (parallel CI jobs on one machine). Servers are started with fd 9
    # closed (9>&-): a long-lived child holding it would keep the lock forever.
    exec 9>"$LOCK_FILE"
    flock -w "$DEADLINE_S" 9 || die "another infra.sh holds $LOCK_FILE"

    # Fast path: both already run and listen → just (re)write env.sh. No package checks, no CLI.
    if pg_info=$(pg_running) && rmq_running && port_listening "${pg_info#* }" && port_listening "$RMQ_AMQP_PORT"; then
        PG_PORT=${pg_info#* } AMQP_PORT=$RMQ_AMQP_PORT
        write_env_file
        echo "infra up (already running, $(elapsed)s): postgres 127.0.0.1:$PG_PORT, rabbitmq 127.0.0.1:$AMQP_PORT — . ${ENV_FILE#"$REPO"/}"
        return 0
    fi

    ensure_packages
    pg_prepare_access

    # Ports: a running server of ours keeps its port; otherwise walk upward from the wanted one.
    local pg_started=0 rmq_started=0
    if pg_info=$(pg_running); then
        PG_PORT=${pg_info#* }
    else
        PG_PORT=$(pick_pg_port "$want_pg") || die "no free port for PostgreSQL from $want_pg up"
        [[ $PG_PORT == "$want_pg" ]] || log "port $want_pg is taken; PostgreSQL uses $PG_PORT"
        pg_started=1
    fi
    if rmq_running; then
        AMQP_PORT=$RMQ_AMQP_PORT DIST_PORT=$RMQ_DIST_PORT
    else
        pick_amqp_ports "$want_amqp" "$PG_PORT" || die "no free AMQP/distribution port pair from $want_amqp up"
        [[ $AMQP_PORT == "$want_amqp" ]] || log "port $want_amqp (or its dist port) is taken; RabbitMQ uses $AMQP_PORT"
        rmq_started=1
    fi
    mode=warm
    [[ -r $PGDATA/PG_VERSION && -d $RMQ_DIR/mnesia/$RMQ_NODE ]] || mode=cold

    # RabbitMQ boots slowest (~6 s of Erlang VM start), so launch it first and let PostgreSQL
    # initialise/start meanwhile.
    (( rmq_started )) && rmq_start
    (( pg_started )) && pg_start
    pg_wait_ready
    rmq_wait_ready

    write_env_file
    echo "infra up ($mode start, $(elapsed)s): postgres 127.0.0.1:$PG_PORT, rabbitmq 127.0.0.1:$AMQP_PORT (node $RMQ_NODE) — . ${ENV_FILE#"$REPO"/}"
}

cmd_down() {
    [[ -d $INFRA ]] || { log "nothing to stop ($INFRA does not exist)"; return 0; }
    exec 9>"$LOCK_FILE"
    flock -w "$DEADLINE_S" 9 || die "another infra.sh holds $LOCK_FILE"
    rmq_stop
    pg_stop
    epmd_stop
    echo "infra down ($(elapsed)s)"
}

cmd_status() {
    local rc=0 info pid=''
    if info=$(pg_running); then
        echo "postgres: running  pid ${info%% *}  127.0.0.1:${info#* }  data $PGDATA"
    else
        echo "postgres: stopped"; rc=3
    fi
    if rmq_running; then
        local state=booting
        port_listening "$RMQ_AMQP_PORT" && state=running
        echo "rabbitmq: $state  pid ${RMQ_BEAM_PID:-$RMQ_WRAPPER_PID}  127.0.0.1:$RMQ_AMQP_PORT (dist $RMQ_DIST_PORT)  node $RMQ_NODE"
        [[ $state == running ]] || rc=3
    else
        echo "rabbitmq: stopped"; rc=3
    fi
    [[ -r $EPMD_PID_FILE ]] && read -r pid <"$EPMD_PID_FILE"
    if is_our_process "$pid" epmd; then echo "epmd:     running  pid $pid  127.0.0.1:$EPMD_PORT"
    else echo "epmd:     not started by us"; fi
    [[ -r $ENV_FILE ]] && echo "env:      $ENV_FILE"
    return "$rc"
}

CMD=${1:-}
case $CMD in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
