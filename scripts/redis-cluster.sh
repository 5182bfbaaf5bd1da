#!/usr/bin/env bash
# A Redis Cluster on loopback for the tests in test/redis-cluster/: 3 masters and 3 replicas on
# 127.0.0.1:7001-7006, no persistence, data under a temporary directory.
#
#   scripts/redis-cluster.sh start    start what is missing, create the cluster if needed, wait until healthy
#   scripts/redis-cluster.sh stop     shut the six nodes down and remove their directory
#   scripts/redis-cluster.sh status   exit 0 when the cluster is healthy (and say so), 1 otherwise
#
# `start` is idempotent: on a healthy cluster it does nothing. When some nodes answer and others do not
# (a test killed a master), it restarts the missing ones from their own nodes.conf, so they rejoin as
# replicas, and waits until the cluster is healthy again.
#
# Environment: REDIS_CLUSTER_DIR (default ${TMPDIR:-/tmp}/jmap-push-redis-cluster).
set -euo pipefail

PORTS=(7001 7002 7003 7004 7005 7006)
HOST=127.0.0.1
DIR="${REDIS_CLUSTER_DIR:-${TMPDIR:-/tmp}/jmap-push-redis-cluster}"
# Small, so a test's killed master is failed over in seconds rather than the default 15 s.
NODE_TIMEOUT_MS=2000
WAIT_SECONDS=60

cli() {
  local port=$1
  shift
  redis-cli -h "$HOST" -p "$port" "$@"
}

answers() {
  cli "$1" ping 2>/dev/null | grep -q PONG
}

start_node() {
  local port=$1
  mkdir -p "$DIR/$port"
  # cluster-replica-validity-factor 0: a replica may always take over, however long it was cut off.
  redis-server --port "$port" --bind "$HOST" --dir "$DIR/$port" \
    --cluster-enabled yes --cluster-config-file "$DIR/$port/nodes.conf" \
    --cluster-node-timeout "$NODE_TIMEOUT_MS" --cluster-replica-validity-factor 0 \
    --save '' --appendonly no --daemonize yes \
    --logfile "$DIR/$port/redis.log" --pidfile "$DIR/$port/redis.pid"
}

# Healthy: every node answers, agrees that the cluster is ok with all slots served, knows all six nodes,
# sees no node failing, and every replica is in sync with its master (so it can take over).
healthy() {
  local port info nodes
  for port in "${PORTS[@]}"; do
    info=$(cli "$port" cluster info 2>/dev/null) || return 1
    grep -q '^cluster_state:ok' <<<"$info" || return 1
    grep -q '^cluster_slots_ok:16384' <<<"$info" || return 1
    grep -q "^cluster_known_nodes:${#PORTS[@]}" <<<"$info" || return 1
    nodes=$(cli "$port" cluster nodes 2>/dev/null) || return 1
    grep -q 'fail' <<<"$nodes" && return 1
    if cli "$port" info replication 2>/dev/null | grep -q '^role:slave'; then
      cli "$port" info replication | grep -q '^master_link_status:up' || return 1
    fi
  done
  return 0
}

# True once the nodes form one cluster (slots assigned), whatever its health.
created() {
  cli "${PORTS[0]}" cluster info 2>/dev/null | grep -q '^cluster_slots_assigned:16384'
}

start() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null || {
    echo "redis-cluster.sh: redis-server and redis-cli are needed (apt-get install redis-server)" >&2
    exit 1
  }
  if healthy; then
    echo "Redis Cluster already healthy on $HOST:${PORTS[0]}-${PORTS[-1]}"
    return 0
  fi
  local port any=false
  for port in "${PORTS[@]}"; do answers "$port" && any=true; done
  # Nothing answers: a fresh cluster (left-over nodes.conf files would describe another one).
  if [ "$any" = false ]; then rm -rf "$DIR"; fi
  for port in "${PORTS[@]}"; do answers "$port" || start_node "$port"; done
  for port in "${PORTS[@]}"; do
    for _ in $(seq 1 100); do answers "$port" && break; sleep 0.1; done
    answers "$port" || {
      echo "redis-cluster.sh: node $port did not start; see $DIR/$port/redis.log" >&2
      exit 1
    }
  done
  if ! created; then
    local addresses=()
    for port in "${PORTS[@]}"; do addresses+=("$HOST:$port"); done
    redis-cli --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes >/dev/null
  fi
  for _ in $(seq 1 $((WAIT_SECONDS * 10))); do
    if healthy; then
      echo "Redis Cluster healthy on $HOST:${PORTS[0]}-${PORTS[-1]} (data in $DIR)"
      return 0
    fi
    sleep 0.1
  done
  echo "redis-cluster.sh: the cluster is not healthy after ${WAIT_SECONDS} s:" >&2
  cli "${PORTS[0]}" cluster nodes >&2 || true
  exit 1
}

stop() {
  local port
  for port in "${PORTS[@]}"; do
    if answers "$port"; then cli "$port" shutdown nosave >/dev/null 2>&1 || true; fi
  done
  for port in "${PORTS[@]}"; do
    for _ in $(seq 1 50); do answers "$port" || break; sleep 0.1; done
  done
  rm -rf "$DIR"
  echo "Redis Cluster stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if healthy; then
      echo "Redis Cluster healthy on $HOST:${PORTS[0]}-${PORTS[-1]}"
    else
      echo "Redis Cluster not healthy on $HOST:${PORTS[0]}-${PORTS[-1]}"
      exit 1
    fi
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
