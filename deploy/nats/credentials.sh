#!/bin/sh
# Writes an environment file of fresh random passwords for nats-server: one for every
# $RING_…_PASSWORD the configs of this folder name (every user of auth.conf, the system account,
# the cluster routes) and, with --routes, the route URLs of cluster.conf ($RING_ROUTE_1…).
#   credentials.sh [--routes HOST,HOST,HOST] > /etc/nats/ringmaster.env; chmod 600 /etc/nats/ringmaster.env
# Give each client its own password: agent web-1 gets RING_WEB_1_PASSWORD's value as NATS_PASSWORD
# in /etc/ringmaster/ringd.env, the controller RING_RINGMASTER_PASSWORD's, operators RING_OPS_PASSWORD's.
# Passwords start with a letter: nats-server parses a variable's value, and would read digits as a number.
set -eu
dir=$(dirname "$0")
routes=
case "${1:-}" in
  --routes) routes=${2:?--routes needs HOST,HOST,HOST}; shift 2 ;;
  '') ;;
  *) echo "usage: $0 [--routes HOST,HOST,HOST]" >&2; exit 2 ;;
esac

password() { printf 'pw%s' "$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')"; }

echo "# nats-server passwords for the Ringmaster fleet, written by $0 on $(date -u +%Y-%m-%dT%H:%M:%SZ)"
route_password=
for var in $(cat "$dir"/*.conf | grep -o '\$RING_[A-Z0-9_]*_PASSWORD' | tr -d '$' | sort -u); do
  value=$(password)
  [ "$var" = RING_ROUTE_PASSWORD ] && route_password=$value
  echo "$var=$value"
done
if [ -n "$routes" ]; then
  [ -n "$route_password" ] || { echo "$0: no \$RING_ROUTE_PASSWORD in $dir/*.conf" >&2; exit 1; }
  i=0
  for host in $(echo "$routes" | tr ',' ' '); do
    i=$((i + 1))
    echo "RING_ROUTE_$i=nats-route://route:$route_password@$host:6222"
  done
fi
