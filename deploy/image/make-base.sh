#!/bin/sh
# A stand-in for python:3.11-slim, for building the Dockerfile where official images cannot be
# pulled (the development machines and CI reach the package registries only). Debian bookworm's
# minimal root file system made by debootstrap, with Python 3.11 where the official image has it
# (/usr/local/bin/python3.11) and the machine's CA bundle (uv does not read the system store).
#
#   deploy/image/make-base.sh            # builds once, then reuses the cache; prints its age
#   HIPPIQUE_BASE_REFRESH=1 deploy/image/make-base.sh   # rebuild from today's Debian
#
# The root file system is cached as a tarball in $HIPPIQUE_BASE_CACHE (default
# /var/cache/hippique-image-base) and rebuilt when older than $HIPPIQUE_BASE_MAX_AGE_DAYS (30);
# the podman image $HIPPIQUE_BASE_IMAGE (localhost/python:3.11-slim) is imported from it when missing.
# Needs root, debootstrap and podman. Exit status 3 with one line when something is missing.
set -eu

CACHE=${HIPPIQUE_BASE_CACHE:-/var/cache/hippique-image-base}
IMAGE=${HIPPIQUE_BASE_IMAGE:-localhost/python:3.11-slim}
MAX_AGE_DAYS=${HIPPIQUE_BASE_MAX_AGE_DAYS:-30}
MIRROR=${HIPPIQUE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CA_BUNDLE=${HIPPIQUE_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
HERE=$(cd "$(dirname "$0")" && pwd)
export CONTAINERS_CONF="${CONTAINERS_CONF:-$HERE/containers.conf}"
PODMAN="podman --cgroup-manager cgroupfs --runtime runc"

fail() { echo "make-base: $*" >&2; exit 3; }
[ "$(id -u)" = 0 ] || fail "debootstrap and podman need root here"
command -v podman >/dev/null || fail "podman is not installed (apt-get install -y podman runc debootstrap)"

TARBALL=$CACHE/rootfs.tar
STAMP=$CACHE/snapshot
now=$(date +%s)
if [ -f "$TARBALL" ] && [ -f "$STAMP" ] && [ -z "${HIPPIQUE_BASE_REFRESH:-}" ]; then
    age_days=$(( (now - $(stat -c %Y "$TARBALL")) / 86400 ))
    [ "$age_days" -le "$MAX_AGE_DAYS" ] || { echo "make-base: cache is $age_days days old: rebuilding"; rm -f "$TARBALL" "$STAMP"; }
fi

if [ ! -f "$TARBALL" ] || [ ! -f "$STAMP" ] || [ -n "${HIPPIQUE_BASE_REFRESH:-}" ]; then
    command -v debootstrap >/dev/null || fail "debootstrap is not installed (apt-get install -y debootstrap)"
    [ -f "$CA_BUNDLE" ] || fail "no CA bundle at $CA_BUNDLE"
    mkdir -p "$CACHE"
    root=$(mktemp -d "$CACHE/rootfs.XXXXXX")
    trap 'rm -rf "$root"' EXIT
    echo "make-base: debootstrap bookworm from $MIRROR (about 3 minutes)"
    debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates,tzdata \
        bookworm "$root" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
        || fail "debootstrap failed (no route to $MIRROR?): see $CACHE/debootstrap.log"
    ln -sf /usr/bin/python3.11 "$root/usr/local/bin/python3.11"
    ln -sf /usr/bin/python3.11 "$root/usr/local/bin/python3"
    ln -sf /usr/bin/python3.11 "$root/usr/local/bin/python"
    # The official image's pip installs system-wide; Debian's refuses without this file removed.
    rm -f "$root"/usr/lib/python3.11/EXTERNALLY-MANAGED
    cp "$CA_BUNDLE" "$root/etc/ssl/certs/ca-certificates.crt"
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*_Packages
    release=$(ls "$root"/var/lib/apt/lists/*_Release 2>/dev/null | head -n 1 || true)
    date_line=$(sed -n 's/^Date: //p' "$release" 2>/dev/null | head -n 1)
    printf 'Debian bookworm %s (Release of %s), python %s\n' \
        "$(cat "$root/etc/debian_version")" "${date_line:-unknown date}" \
        "$(chroot "$root" /usr/bin/python3.11 -c 'import platform; print(platform.python_version())')" >"$STAMP.new"
    tar -C "$root" -cf "$TARBALL.new" .
    mv "$TARBALL.new" "$TARBALL" && mv "$STAMP.new" "$STAMP"
    rm -rf "$root"; trap - EXIT
    $PODMAN rmi -f "$IMAGE" >/dev/null 2>&1 || true
fi

if ! $PODMAN image exists "$IMAGE"; then
    $PODMAN import --change "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" \
        --change "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin" \
        "$TARBALL" "$IMAGE" >/dev/null || fail "podman import of $TARBALL failed"
fi
age_h=$(( (now - $(stat -c %Y "$TARBALL")) / 3600 ))
echo "make-base: $IMAGE from $TARBALL, $age_h h old: $(cat "$STAMP")"
