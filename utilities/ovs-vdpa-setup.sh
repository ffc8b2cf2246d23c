#! /bin/bash
# Installs what ovs-vdpa needs on Debian 12 and builds it, as root.
#
# Usage: utilities/ovs-vdpa-setup.sh [BUILDDIR]
#
# BUILDDIR defaults to _build in the source tree.  Safe to run again: it
# installs only missing packages and rebuilds only what changed.

set -e

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-$srcdir/_build}

# Debian packages: the build tools (clang for the check's -Wthread-safety
# build), OVS's source and build dependencies, DPDK 22.11 and its
# dpdk-testpmd (the tests' guest), virt-xml-validate (libvirt-clients, for
# the libvirt example) and dpkg-dev ("make deb").  The package test
# installs openvswitch-switch itself, if missing, with service starts
# blocked.
packages="autoconf automake libtool make gcc clang pkg-config python3
          openvswitch-source libdpdk-dev dpdk dpdk-dev
          libssl-dev libcap-ng-dev libnuma-dev procps
          qemu-system-x86 busybox-static cpio xz-utils
          libvirt-clients dpkg-dev"

missing=
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $p"
done
if test -n "$missing"; then
    if test "$(id -u)" != 0; then
        echo "$0: missing Debian packages:$missing (run as root)" >&2
        exit 1
    fi
    echo "Installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

cd "$srcdir"
if test ! -x configure || test configure.ac -nt configure \
        || test m4/ovs-vdpa.m4 -nt configure; then
    ./boot.sh >/dev/null 2>&1 || { ./boot.sh; exit 1; }
fi

mkdir -p "$builddir"
cd "$builddir"
if test ! -f Makefile; then
    echo "Configuring in $builddir (unpacks and configures OVS 3.1)..."
    "$srcdir"/configure --quiet $VDPA_CONFIGURE_FLAGS
fi
echo "Building in $builddir..."
make -j"$(nproc)" --no-print-directory >make.log 2>&1 ||
    { tail -n 40 make.log; exit 1; }
