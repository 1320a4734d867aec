#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine, so compose mode can be tested for real.
#
# Idempotent: when `docker info` already works it only checks that a compose implementation is
# there (installing Debian's docker-compose v1 when neither v2 nor v1 is) and prints the versions.
# Otherwise it installs what is missing from Debian's packages (docker.io, docker-compose), starts
# dockerd in the background (detached from the caller's session, log in $DOCKERD_LOG) and waits,
# bounded, for its socket. Exits non-zero with the log's tail when the engine cannot be started.
#
# The daemon is started with a minimal footprint on the host network stack (see test/docker/README.md):
#   --bridge=none            no docker0 bridge, no 172.17.0.0/16 addresses: every test container uses
#                            `network_mode: host`, so all traffic stays on loopback
#   --iptables=false         no NAT/FORWARD rules added to the host's firewall
#   --ip-forward=false       net.ipv4.ip_forward is left as it is (0)
#   --host-gateway-ip=127.0.0.1
#                            `extra_hosts: host.docker.internal:host-gateway` needs an address to
#                            resolve to when there is no bridge; with host networking the runner's
#                            loopback is exactly where the receiver listens
# The storage driver is overlay2 (docker's own choice on ext4/xfs); when /var/lib/docker sits on
# overlayfs itself (a container, say) vfs is used instead, and a daemon that dies at start is retried
# once with vfs. Override everything with DOCKERD_FLAGS.
#
# Environment:
#   DOCKERD_FLAGS         flags for dockerd (default: the ones above)
#   DOCKERD_LOG           daemon log (default /var/log/dockerd.log)
#   DOCKER_WAIT_SECONDS   how long to wait for the socket (default 60)
#   APT_TIMEOUT_SECONDS   bound on each apt-get call (default 300)
#   DOCKERD_PIDFILE       dockerd's pidfile (default /var/run/docker.pid)
set -euo pipefail

DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"
DOCKER_WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"
APT_TIMEOUT_SECONDS="${APT_TIMEOUT_SECONDS:-300}"
DEFAULT_FLAGS="--bridge=none --iptables=false --ip-forward=false --host-gateway-ip=127.0.0.1"
# Where dockerd writes its pid: give --pidfile in DOCKERD_FLAGS and this together to run a second,
# separate daemon (with its own -H, --data-root, --exec-root and DOCKER_HOST), e.g. to time a cold
# start without stopping the machine's engine.
PIDFILE="${DOCKERD_PIDFILE:-/var/run/docker.pid}"

started_at=$(date +%s.%N)
log() { echo "docker-engine: $*"; }
die() {
  echo "docker-engine: error: $*" >&2
  exit 1
}
elapsed() { awk -v a="$started_at" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
engine_up() { timeout 10 docker info >/dev/null 2>&1; }
compose_v2() { timeout 10 docker compose version >/dev/null 2>&1; }
compose_v1() { command -v docker-compose >/dev/null 2>&1; }

print_versions() {
  local server client compose
  server=$(timeout 10 docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null || echo '?')
  client=$(timeout 10 docker version --format '{{.Client.Version}}' 2>/dev/null || echo '?')
  if compose_v2; then
    compose="v2: $(docker compose version --short 2>/dev/null || docker compose version)"
  elif compose_v1; then
    compose="v1: $(docker-compose version --short 2>/dev/null || echo '?')"
  else
    compose="none"
  fi
  log "engine $server, client $client, compose $compose, storage $(docker info --format '{{.Driver}}' 2>/dev/null || echo '?')"
}

apt_install() {
  # Tries the install with the lists the machine has; refreshes them once if that fails.
  [ "$(id -u)" = 0 ] || die "installing $* needs root (this is $(id -un))"
  command -v apt-get >/dev/null 2>&1 || die "no apt-get here: install $* by hand"
  export DEBIAN_FRONTEND=noninteractive
  log "installing $* (apt-get, at most ${APT_TIMEOUT_SECONDS}s per call)"
  local aptlog
  aptlog=$(mktemp)
  if ! timeout "$APT_TIMEOUT_SECONDS" apt-get install -y -q --no-install-recommends "$@" >"$aptlog" 2>&1; then
    log "apt-get install failed; refreshing the package lists and trying again"
    timeout "$APT_TIMEOUT_SECONDS" apt-get update -q >>"$aptlog" 2>&1 || true
    if ! timeout "$APT_TIMEOUT_SECONDS" apt-get install -y -q --no-install-recommends "$@" >>"$aptlog" 2>&1; then
      tail -n 20 "$aptlog" >&2
      rm -f "$aptlog"
      die "apt-get could not install $*"
    fi
  fi
  rm -f "$aptlog"
  log "installed $* after $(elapsed)s"
}

ensure_compose() {
  if compose_v2 || compose_v1; then return 0; fi
  apt_install docker-compose
}

if engine_up; then
  ensure_compose
  log "engine already answers; nothing to start"
  print_versions
  exit 0
fi

# One caller at a time past this point (two CI steps, or two developers, starting the engine at
# once would otherwise race to apt-get and to dockerd's pidfile). The winner's work is re-checked.
if [ "$(id -u)" = 0 ] && command -v flock >/dev/null 2>&1; then
  exec 9>/var/lock/ethhook-docker-engine.lock
  flock -w $((APT_TIMEOUT_SECONDS * 2 + DOCKER_WAIT_SECONDS * 2)) 9 || die "timed out waiting for another docker-engine.sh"
  if engine_up; then
    ensure_compose
    log "engine answers (started by another caller meanwhile)"
    print_versions
    exit 0
  fi
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
if ! compose_v1 && ! { command -v docker >/dev/null 2>&1 && compose_v2; }; then
  missing+=(docker-compose)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  # shellcheck disable=SC2207
  missing=($(printf '%s\n' "${missing[@]}" | sort -u))
  apt_install "${missing[@]}"
fi
[ "$(id -u)" = 0 ] || die "dockerd is not running and starting it needs root (this is $(id -un))"

# A daemon that is still starting (another caller got here first) is waited for, not doubled.
existing_pid=""
if [ -s "$PIDFILE" ]; then
  existing_pid=$(cat "$PIDFILE")
  # Not ours to wait for: a pid that is gone, reused by another program, or a zombie.
  if [ "$(cat "/proc/$existing_pid/comm" 2>/dev/null)" != dockerd ] ||
    [ "$(awk '{print $3}' "/proc/$existing_pid/stat" 2>/dev/null)" = Z ]; then
    log "removing stale $PIDFILE (pid $existing_pid is not a running dockerd)"
    rm -f "$PIDFILE"
    existing_pid=""
  fi
fi

storage_flags() {
  case " ${DOCKERD_FLAGS:-} " in *" --storage-driver"* | *" -s "*) return 0 ;; esac
  mkdir -p /var/lib/docker
  if [ "$(stat -f -c %T /var/lib/docker 2>/dev/null)" = overlayfs ]; then echo "--storage-driver=vfs"; fi
}

start_daemon() {
  local flags="$1"
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  echo "=== $(date -u +%FT%TZ) dockerd $flags" >>"$DOCKERD_LOG"
  log "starting: dockerd $flags (log: $DOCKERD_LOG)"
  # setsid + nohup: the daemon outlives this script, the CI step and the caller's process group.
  # 9>&-: the daemon must not inherit (and hold forever) the lock of this script.
  # shellcheck disable=SC2086
  setsid nohup dockerd $flags >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
  daemon_pid=$!
}

# Waits for `docker info`; returns 0 when up, 1 when the daemon died, 2 on timeout.
wait_for_engine() {
  local pid="$1" deadline=$((SECONDS + DOCKER_WAIT_SECONDS))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if engine_up; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.5
  done
  return 2
}

rc=0
if [ -n "$existing_pid" ]; then
  log "dockerd (pid $existing_pid) is already starting; waiting for it"
  wait_for_engine "$existing_pid" || rc=$?
else
  flags="${DOCKERD_FLAGS:-$DEFAULT_FLAGS} $(storage_flags)"
  start_daemon "$flags"
  wait_for_engine "$daemon_pid" || rc=$?
  if [ "$rc" = 1 ] && [ -z "${DOCKERD_FLAGS:-}" ] && ! grep -q -- "--storage-driver" <<<"$flags"; then
    log "dockerd exited at start; retrying once with --storage-driver=vfs"
    tail -n 5 "$DOCKERD_LOG" | sed 's/^/  | /'
    rm -f "$PIDFILE"
    start_daemon "$DEFAULT_FLAGS --storage-driver=vfs"
    rc=0
    wait_for_engine "$daemon_pid" || rc=$?
  fi
fi

case "$rc" in
  0)
    log "engine up after $(elapsed)s"
    print_versions
    ;;
  1)
    tail -n 25 "$DOCKERD_LOG" >&2
    die "dockerd exited before its socket answered (log above, full log in $DOCKERD_LOG)"
    ;;
  *)
    tail -n 25 "$DOCKERD_LOG" >&2
    die "dockerd did not answer within ${DOCKER_WAIT_SECONDS}s (log above, full log in $DOCKERD_LOG)"
    ;;
esac
