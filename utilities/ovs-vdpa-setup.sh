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
# the libvirt example), dpkg-dev ("make deb"), and OVN 23.03 (the OVN tests
# run its ovn-northd and ovn-controller on our ovs-vswitchd; iproute2 for
# their network namespaces).  ovn-host brings Debian's openvswitch-switch,
# which the package test needs; services stay stopped (see below).
packages="autoconf automake libtool make gcc clang pkg-config python3
          openvswitch-source libdpdk-dev dpdk dpdk-dev
          libssl-dev libcap-ng-dev libnuma-dev procps
          qemu-system-x86 busybox-static cpio xz-utils ethtool iputils-ping
          libvirt-clients dpkg-dev ovn-central ovn-host iproute2"

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

    # ovn-central, ovn-host and the openvswitch-switch they depend on come
    # with services (Debian's OVS and OVN daemons) that the tests must not
    # find running: block service starts while apt-get runs, as container
    # builds do, with a policy-rc.d that refuses them, and put back
    # whatever policy-rc.d there was afterwards.  (Each step replaces the
    # file at once, so that other apt-get runs never see it half-written.)
    policy=/usr/sbin/policy-rc.d
    test ! -e $policy || cp -p $policy $policy.ovs-vdpa
    restore_policy () {
        if test -e $policy.ovs-vdpa; then
            mv -f $policy.ovs-vdpa $policy
        else
            rm -f $policy
        fi
    }
    trap restore_policy EXIT
    printf '#! /bin/sh\nexit 101\n' > $policy.tmp
    chmod 755 $policy.tmp
    mv -f $policy.tmp $policy
    apt-get -o DPkg::Lock::Timeout=900 install -y -q \
        --no-install-recommends $missing >/dev/null
    restore_policy
    trap - EXIT
fi

# Debian's OVS and OVN daemons keep their pidfiles in /var/run/openvswitch
# and /var/run/ovn.  None should run beside the tests' daemons; this
# script started none, so it only says so.
for pidfile in /var/run/openvswitch/*.pid /var/run/ovn/*.pid; do
    if test -f "$pidfile" && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        echo "$0: warning: a Debian OVS or OVN daemon runs ($pidfile);" \
             "systemctl stop openvswitch-switch ovn-central ovn-host" \
             "stops them" >&2
    fi
done

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
