#!/usr/bin/env bash
# Builds the local base image of the compose tests (default tag ethhook-lt/base:local).
#
# No image registry is reachable here, so nothing is pulled: the image is a skeleton root filesystem
# of a few kilobytes made with `docker import`, and the compose file bind-mounts the host's /usr
# read-only over it. The host's redis-server, PostgreSQL (initdb, postgres, pg_isready), node, curl
# and a shell then run in the container exactly as they run on the host, with the host's libraries.
# Why not copy the binaries in: PostgreSQL alone is ~60 MB with its libraries and share/ files, node
# ~100 MB, and a copied closure goes stale when the host's packages update; the bind mount costs
# nothing to build (well under a second) and is always in step with the host. The price is that the
# image is only meaningful on a usr-merged host (Debian 12, Ubuntu 22.04+) that has those programs;
# on a GitHub runner users bring their own images and this one is not needed.
#
# What the skeleton holds:
#   bin, lib, lib64 -> usr/...         the usr-merge symlinks, so /bin/sh etc. resolve into /usr
#   sbin                               a real, empty directory, not the usr-merge symlink: with
#                                      `init: true` docker mounts its init at /sbin/docker-init,
#                                      which a symlink would send under the /usr bind mount
#   etc/passwd, etc/group, nsswitch    root, postgres (999) and node (1000): PostgreSQL refuses root
#   var/lib/postgresql/data (999, 0700) so a named volume mounted there starts owned by postgres
#   run/postgresql, tmp, var/tmp       writable places
#   app                                mount point of the repository
# Idempotent: the image carries a label with the hash of this recipe and is rebuilt only when the
# recipe changes (or with --force).
#
# Usage: scripts/docker-base-image.sh [--force] [TAG]
set -euo pipefail

force=0
if [ "${1:-}" = "--force" ]; then
  force=1
  shift
fi
TAG="${1:-${LT_BASE_IMAGE:-ethhook-lt/base:local}}"
started_at=$(date +%s.%N)
log() { echo "docker-base-image: $*"; }
die() {
  echo "docker-base-image: error: $*" >&2
  exit 1
}
elapsed() { awk -v a="$started_at" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

command -v docker >/dev/null 2>&1 || die "no docker client; run scripts/docker-engine.sh first"
timeout 10 docker info >/dev/null 2>&1 || die "the Docker engine does not answer; run scripts/docker-engine.sh first"
{ [ -L /bin ] && [ -L /lib ]; } || die "this host is not usr-merged (/bin, /lib are directories); the image relies on bind-mounting /usr alone"
for prog in sh redis-server redis-cli node curl; do
  command -v "$prog" >/dev/null 2>&1 || log "warning: $prog is not on this host; the services that need it will not start"
done

# The recipe's hash: this script's own text. Changing the skeleton changes the hash.
# Two test files may ask at once: one builds, the other waits and then finds the image up to date.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/ethhook-lt-base-image.lock"
  flock -w 120 9 || die "another build of $TAG held the lock for more than 120 s"
fi

recipe=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)
current=$(docker image inspect --format '{{ index .Config.Labels "ethhook-lt.recipe" }}' "$TAG" 2>/dev/null || true)
if [ "$force" = 0 ] && [ "$current" = "$recipe" ]; then
  log "$TAG is up to date (recipe $recipe); nothing to build"
  exit 0
fi

previous=$(docker image inspect --format '{{.Id}}' "$TAG" 2>/dev/null || true)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
cd "$root"
mkdir -p usr etc tmp var/tmp var/lib/postgresql/data run/postgresql app home/node dev proc sys sbin
ln -s usr/bin bin
ln -s usr/lib lib
ln -s usr/lib64 lib64
ln -s ../run var/run
cat >etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
postgres:x:999:999:PostgreSQL:/var/lib/postgresql:/bin/sh
node:x:1000:1000:node:/home/node:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >etc/group <<'EOF'
root:x:0:
postgres:x:999:
node:x:1000:
nogroup:x:65534:
EOF
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >etc/nsswitch.conf
mkdir -p root
chmod 0700 root
chmod 1777 tmp var/tmp
chown -R 999:999 var/lib/postgresql run/postgresql
chmod 0700 var/lib/postgresql/data
chmod 2775 run/postgresql
chown 1000:1000 home/node

tar --numeric-owner -cf - . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change "LABEL ethhook-lt.recipe=$recipe" \
  --change 'LABEL org.opencontainers.image.description="ethhook-lt skeleton rootfs; bind-mount the host /usr read-only"' \
  --change 'WORKDIR /' \
  --change 'CMD ["/bin/sh"]' \
  --message "ethhook-lt base skeleton ($recipe)" \
  - "$TAG" >/dev/null
# The image this one replaces is left untagged; drop it unless a container still uses it.
if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect --format '{{.Id}}' "$TAG")" ]; then
  docker image rm "$previous" >/dev/null 2>&1 || true
fi
log "built $TAG (recipe $recipe, $(docker image inspect --format '{{.Size}}' "$TAG") bytes) in $(elapsed)s"
