#!/bin/sh
# Demo worker that drains slowly: on SIGTERM it keeps flushing for $DRAIN_SECONDS (default 8), then exits 0.
drain=${DRAIN_SECONDS:-8}
flush() {
  echo "SIGTERM: draining for ${drain}s"
  i=0
  while [ "$i" -lt "$drain" ]; do sleep 1; i=$((i + 1)); echo "drained $i/$drain"; done
  exit 0
}
trap flush TERM
echo "ingest worker ${RING_WID:-?} ready"
while :; do
  sleep 1 &
  wait $!
done
