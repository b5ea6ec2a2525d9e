#!/usr/bin/env bash
# A three-host Ringmaster fleet on one Linux machine (root). Hosts web-1, web-2 and db-1 are network
# namespaces on a private bridge (10.0.0.0/24, nothing routed); a fourth, nats (10.0.0.9), runs
# nats-server (deploy/nats/server.conf with the generated auth.conf) and the controller. Each host
# runs ringd with example watchers (deploy/demo/conf.d/: a web service on a shared socket, workers,
# a slowly draining worker). The operator reaches NATS from here through a relay on 127.0.0.1.
#   deploy/demo/fleet.sh up       create it all, wait until the controller sees every host running, print how to watch
#   deploy/demo/fleet.sh status   what runs, and the fleet as the controller sees it
#   deploy/demo/fleet.sh down     stop and remove everything up created (also after a failed or interrupted up)
# Settings: RINGDEMO_NAME (ringdemo; namespaces are NAME-br, NAME-nats, NAME-web-1…), RINGDEMO_DIR
# (/tmp/NAME: configs, logs, secrets), RINGDEMO_PORT (14222: the relay on 127.0.0.1),
# RINGDEMO_STOP_TIMEOUT (30: seconds down waits for graceful stops before it kills).
set -euo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NAME=${RINGDEMO_NAME:-ringdemo}
DIR=${RINGDEMO_DIR:-/tmp/$NAME}
PORT=${RINGDEMO_PORT:-14222}
STOP_TIMEOUT=${RINGDEMO_STOP_TIMEOUT:-30}
HOSTS=(web-1 web-2 db-1)
declare -A ADDR=([nats]=10.0.0.9 [web-1]=10.0.0.11 [web-2]=10.0.0.12 [db-1]=10.0.0.21)
declare -A ROLE=([web-1]=web [web-2]=web [db-1]=db)
declare -A SERVICES=([web-1]="web worker" [web-2]="web worker" [db-1]="worker ingest")
NATS_URL=nats://${ADDR[nats]}:4222
MARKER=.ringdemo # written into DIR by up: down removes DIR only when it holds this file

die() {
  echo "fleet.sh: $*" >&2
  exit 1
}

[[ $NAME =~ ^ringdemo[a-z0-9-]*$ ]] || die "RINGDEMO_NAME must start with \"ringdemo\" (letters, digits, -): got \"$NAME\""
[[ $DIR == /* && $DIR != *[[:space:]:,]* ]] || die "RINGDEMO_DIR must be an absolute path without spaces, ':' or ',': got \"$DIR\""
[[ $PORT =~ ^[0-9]+$ ]] || die "RINGDEMO_PORT must be a port number: got \"$PORT\""

ns() { echo "$NAME-$1"; } # the namespace of a host (nats, web-1…) or of the bridge (br)
ctl() { node "$ROOT/bin/ringctl.js" --context "$DIR/ops.toml" "$@"; }
ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }
# Every namespace of the demo, hosts first and the bridge last (the order down removes them in).
namespaces() { echo "$(ns nats)" "${HOSTS[@]/#/$NAME-}" "$(ns br)"; }
pid_of() { cat "$DIR/run/$1.pid" 2>/dev/null || true; }
alive() { [[ -n $1 ]] && kill -0 "$1" 2>/dev/null && [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]; }
password() { sed -n "s/^RING_$1_PASSWORD=//p" "$DIR/nats/ringmaster.env"; }
log_tail() {
  if [[ -f $DIR/logs/$1.log ]]; then
    echo "--- $DIR/logs/$1.log (last lines):" >&2
    tail -n 15 "$DIR/logs/$1.log" >&2
  fi
}

# run_in HOST LOG CMD...: CMD in HOST's namespace and a session of its own (Ctrl-C here never
# reaches it), output to DIR/logs/LOG.log, pid to DIR/run/LOG.pid.
run_in() {
  local host=$1 log=$2
  shift 2
  ip netns exec "$(ns "$host")" setsid "$@" >"$DIR/logs/$log.log" 2>&1 </dev/null &
  echo $! >"$DIR/run/$log.pid"
}

# wait_for WHAT SECONDS CHECK...: polls CHECK until it succeeds; fails early when a started process died.
wait_for() {
  local what=$1 deadline=$((SECONDS + $2)) f
  shift 2
  until "$@" >/dev/null 2>&1; do
    for f in "$DIR"/run/*.pid; do
      alive "$(cat "$f")" || { log_tail "$(basename "$f" .pid)"; die "$(basename "$f" .pid) exited while waiting for $what"; }
    done
    ((SECONDS < deadline)) || die "timed out waiting for $what"
    sleep 0.25
  done
}

make_secrets() {
  mkdir -p "$DIR/nats"
  cp "$ROOT"/deploy/nats/*.conf "$DIR/nats/"
  sed -i "s#/var/lib/nats#$DIR/nats/js#" "$DIR/nats/common.conf"
  (umask 077 && "$ROOT/deploy/nats/credentials.sh" >"$DIR/nats/ringmaster.env")
  (umask 077 && head -c 32 /dev/urandom | base64 >"$DIR/fleet.key")
  local who
  for who in ops viewer; do
    (umask 077 && printf '[nats]\nservers = ["nats://127.0.0.1:%s"]\nuser = "%s"\npassword = "%s"\n' \
      "$PORT" "$who" "$(password "${who^^}")" >"$DIR/$who.toml")
  done
  if [[ -n ${SUDO_UID:-} ]]; then # run by sudo: the operator's own ringctl may read the two contexts (only them)
    chmod 711 "$DIR"
    chown "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$DIR/ops.toml" "$DIR/viewer.toml"
  fi
}

make_network() {
  local br i=0 h n
  br=$(ns br)
  ip netns add "$br"
  ip -n "$br" link add br0 type bridge
  ip -n "$br" link set br0 up
  for h in nats "${HOSTS[@]}"; do
    i=$((i + 1))
    n=$(ns "$h")
    ip netns add "$n"
    ip -n "$br" link add "p$i" type veth peer name eth0 netns "$n" # made in the bridge's namespace: nothing in ours
    ip -n "$br" link set "p$i" master br0
    ip -n "$br" link set "p$i" up
    ip -n "$n" link set lo up
    ip -n "$n" addr add "${ADDR[$h]}/24" dev eth0
    ip -n "$n" link set eth0 up
    ip -n "$n" route add 224.0.0.0/4 dev eth0 # discovery's multicast
  done
}

nats_answers() { ip netns exec "$(ns nats)" bash -c "exec 3<>/dev/tcp/${ADDR[nats]}/4222 && head -c 4 <&3 | grep -q INFO"; }
relay_answers() { bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && head -c 4 <&3 | grep -q INFO"; }

start_nats() {
  (set -a && . "$DIR/nats/ringmaster.env" && run_in nats nats nats-server -c "$DIR/nats/server.conf")
  wait_for "nats-server on $NATS_URL" 30 nats_answers
  # The operator's way in: 127.0.0.1:PORT here → a unix socket (shared by all namespaces) → NATS.
  run_in nats relay-nats socat "UNIX-LISTEN:$DIR/run/nats.sock,fork,unlink-early" "TCP:${ADDR[nats]}:4222"
  wait_for "the relay's socket" 10 test -S "$DIR/run/nats.sock"
  setsid socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork" "UNIX-CONNECT:$DIR/run/nats.sock" \
    >"$DIR/logs/relay.log" 2>&1 </dev/null &
  echo $! >"$DIR/run/relay.pid"
  wait_for "the relay on 127.0.0.1:$PORT" 10 relay_answers
}

start_controller() {
  cat >"$DIR/nats/ringmaster.toml" <<EOF
# The controller, as /etc/ringmaster/ringmaster.toml (deploy/salt/ringmaster/controller.sls).
[controller]
id = "ringmaster-demo"
audit_file = "$DIR/nats/audit.jsonl"

[nats]
servers = ["$NATS_URL"]
user = "ringmaster"
password = "\$(circus.env.NATS_PASSWORD)"

[discovery]
interface = "eth0"
key_file = "$DIR/fleet.key"
EOF
  (export NATS_PASSWORD && NATS_PASSWORD=$(password RINGMASTER) &&
    run_in nats ringmaster node "$ROOT/bin/ringmaster.js" --config "$DIR/nats/ringmaster.toml")
}

start_agent() {
  local h=$1 s
  mkdir -p "$DIR/$h/conf.d"
  for s in ${SERVICES[$h]}; do cp "$ROOT/deploy/demo/conf.d/$s.toml" "$DIR/$h/conf.d/"; done
  cat >"$DIR/$h/ringd.toml" <<EOF
# $h, as Salt writes /etc/ringmaster/ringd.toml (deploy/salt/ringmaster): one file per service in conf.d/.
include = ["conf.d/*.toml"]

[agent]
id = "$h"
labels = { role = "${ROLE[$h]}" }
state_dir = "$DIR/$h/state"

[nats]
servers = ["$NATS_URL"]
user = "$h"
password = "\$(circus.env.NATS_PASSWORD)"

[discovery]
interface = "eth0"
key_file = "$DIR/fleet.key"
EOF
  local var=${h^^}
  (export NATS_PASSWORD RINGDEMO_ROOT=$ROOT RINGDEMO_NODE && NATS_PASSWORD=$(password "${var//-/_}") &&
    RINGDEMO_NODE=$(command -v node) && run_in "$h" "$h" node "$ROOT/bin/ringd.js" --config "$DIR/$h/ringd.toml")
}

# Every host alive for the controller, with all its processes running.
fleet_running() {
  ctl --json --timeout 5 hosts | node -e '
    const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const ok = process.argv.slice(1).every((id) => {
      const h = (r.hosts ?? []).find((x) => x.id === id);
      return h && h.state === "alive" && h.processes > 0 && (h.states?.running ?? 0) === h.processes;
    });
    process.exit(ok ? 0 : 1);' "${HOSTS[@]}"
}

up_failed() {
  local rc=$?
  trap - EXIT
  echo "fleet.sh: up failed; removing what it created" >&2
  down >&2 || true
  exit "$((rc == 0 ? 1 : rc))"
}

up() {
  local tool n h
  [[ $(id -u) == 0 ]] || die "up needs root (network namespaces)"
  for tool in ip nats-server socat node setsid; do
    command -v "$tool" >/dev/null || die "$tool is missing (Debian: apt-get install iproute2 nats-server socat util-linux; Node >= 20)"
  done
  for n in $(namespaces); do ns_exists "$n" && die "namespace $n exists: the demo is up (or half up); run: $0 down"; done
  if [[ -e $DIR ]]; then
    [[ -e $DIR/$MARKER ]] || die "$DIR exists and was not made by this demo: set RINGDEMO_DIR"
    rm -rf "$DIR" # what a crashed run left
  fi
  ! (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || die "127.0.0.1:$PORT is taken: set RINGDEMO_PORT"
  trap up_failed EXIT
  trap 'exit 130' INT TERM
  mkdir -p "$DIR/logs" "$DIR/run"
  chmod 700 "$DIR"
  touch "$DIR/$MARKER"
  echo "creating hosts ${HOSTS[*]} and nats in network namespaces $NAME-*, files in $DIR"
  make_secrets
  make_network
  start_nats
  start_controller
  for h in "${HOSTS[@]}"; do start_agent "$h"; done
  echo "waiting for the controller to see every host running (a minute at most)"
  wait_for "the controller to see ${HOSTS[*]} running" 180 fleet_running
  trap - EXIT INT TERM
  local ringctl="$ROOT/bin/ringctl.js --context $DIR/ops.toml" sudo=${SUDO_UID:+sudo }
  cat <<EOF

The fleet is up: ${HOSTS[*]} (ringd each) and nats (nats-server, ringmaster), NATS relayed to 127.0.0.1:$PORT.

  Watch it:    $ringctl tui
  The fleet:   $ringctl hosts
               $ringctl status --all
               $ringctl rollout reload web --label role=web
               $ringctl restart ingest --host db-1      # drains for 8 s
  One host:    ${sudo}ip netns exec $(ns web-1) $ROOT/bin/ringctl.js status
               ${sudo}ip netns exec $(ns web-1) curl -s http://127.0.0.1:8080/
  Logs:        $DIR/logs/
  Remove it:   ${sudo}$0 down
EOF
}

status() {
  local n f name pid rc=0
  for n in $(namespaces); do
    if ns_exists "$n"; then echo "namespace $n: present"; else echo "namespace $n: absent"; rc=1; fi
  done
  for f in "$DIR"/run/*.pid; do
    [[ -e $f ]] || { echo "no process started (nothing in $DIR/run)"; return 1; }
    name=$(basename "$f" .pid)
    pid=$(cat "$f")
    if alive "$pid"; then echo "$name: running (pid $pid)"; else echo "$name: not running"; rc=1; fi
  done
  alive "$(pid_of relay)" && { ctl hosts || rc=1; }
  return "$rc"
}

# Graceful first (ringd stops its watchers in order, the slow drain included), then whatever is left.
stop_daemons() {
  local name pid pids=() deadline=$((SECONDS + STOP_TIMEOUT))
  for name in "${HOSTS[@]}" ringmaster; do
    pid=$(pid_of "$name")
    if ! alive "$pid" || [[ $(ip netns identify "$pid" 2>/dev/null) != "$NAME"-* ]]; then continue; fi
    kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
  done
  ((${#pids[@]})) || return 0
  echo "stopping ${#pids[@]} daemon(s) gracefully (at most ${STOP_TIMEOUT}s)"
  for pid in "${pids[@]}"; do
    while alive "$pid" && ((SECONDS < deadline)); do sleep 0.25; done
  done
}

# The relay's session (its per-connection children too), and any process still naming our socket.
stop_relay() {
  local pid p sock="$DIR/run/nats.sock"
  pid=$(pid_of relay)
  if alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$sock"; then kill -TERM -- "-$pid" 2>/dev/null || true; fi
  # (the parentheses keep grep from matching its own command line)
  for p in $(grep -alsE "UNIX-(CONNECT|LISTEN):$sock" /proc/[0-9]*/cmdline || true); do
    p=${p#/proc/}
    kill -KILL "${p%/cmdline}" 2>/dev/null || true
  done
}

down() {
  local n pid removed=0
  [[ $(id -u) == 0 ]] || die "down needs root (network namespaces)"
  stop_daemons
  for n in $(namespaces); do
    ns_exists "$n" || continue
    for pid in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$n"
    removed=$((removed + 1))
  done
  stop_relay
  if [[ -e $DIR/$MARKER ]]; then
    rm -rf "$DIR"
    echo "removed $removed namespace(s) and $DIR"
  else
    echo "removed $removed namespace(s)"
  fi
}

case "${1:-}" in
  up | down | status) "$1" ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
