#!/usr/bin/env bash
# A base image for the Dockerfile made from Debian's own packages, for hosts that cannot pull
# docker.io/library/python (README "Deploy"). Needs root, debootstrap and podman (or docker).
#
#   sudo deploy/debian-base.sh [IMAGE]        # default IMAGE: localhost/tsgbot-base:bookworm
#   podman build --build-arg BASE=localhost/tsgbot-base:bookworm -t tsgbot .
set -euo pipefail
IMAGE=${1:-localhost/tsgbot-base:bookworm}
ENGINE=${ENGINE:-podman}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
ROOTFS=$(mktemp -d /tmp/tsgbot-base.XXXXXX)
trap 'rm -rf "$ROOTFS"' EXIT
# bookworm's python3 is 3.11, the version the project pins; python3-venv brings ensurepip.
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$ROOTFS" "$MIRROR"
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
tar -C "$ROOTFS" -c . | "$ENGINE" import --change 'CMD ["/bin/bash"]' - "$IMAGE"
echo "base image: $IMAGE"
