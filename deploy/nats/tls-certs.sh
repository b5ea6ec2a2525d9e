#!/bin/sh
# Makes a private CA and a server certificate for the NATS servers (server-tls.conf, cluster-tls.conf).
#   tls-certs.sh DIR NAME_OR_IP...     e.g. tls-certs.sh /etc/nats/tls nats-1.example 10.0.0.9 10.0.0.10 10.0.0.11
# Writes DIR/ca.pem (give it to every client: [nats] tls_ca), DIR/ca-key.pem (keep it offline),
# DIR/server.pem and DIR/server-key.pem (valid for every name and address given, 825 days).
# An existing CA in DIR is reused, so new servers get certificates the clients already trust.
set -eu
dir=${1:?usage: $0 DIR NAME_OR_IP...}
shift
[ $# -gt 0 ] || { echo "usage: $0 DIR NAME_OR_IP..." >&2; exit 2; }
mkdir -p "$dir"
umask 077
san=
for name in "$@"; do
  case "$name" in
    *[!0-9.]*) san="$san,DNS:$name" ;;
    *) san="$san,IP:$name" ;;
  esac
done
san=${san#,}
if [ ! -f "$dir/ca.pem" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=Ringmaster NATS CA" -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" 2>/dev/null
fi
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$1" \
  -keyout "$dir/server-key.pem" -out "$dir/server.csr" 2>/dev/null
printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$san" > "$dir/server.ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial \
  -days 825 -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null
rm -f "$dir/server.csr" "$dir/server.ext" "$dir/ca.srl"
chmod 644 "$dir/ca.pem" "$dir/server.pem"
echo "$dir: ca.pem, server.pem, server-key.pem for $san"
