#! /bin/sh
# Builds the tiny Linux guest that the QEMU tests (tests/system-vdpa-guest.at)
# boot: a Debian kernel and a busybox initramfs whose /init configures the
# virtio-net interface and pings a peer.
#
# Usage: tests/guest/build-guest.sh OUTDIR
#
# Writes OUTDIR/vmlinuz and OUTDIR/initrd.gz, unless they are already there
# and were made by this version of the script.  The kernel is unpacked from
# Debian's package, never installed on the host.  Missing host packages
# (busybox-static, cpio, xz-utils, qemu-system-x86) are installed with
# apt-get when run as root.
#
# Exit status: 0 on success, 77 when the kernel or busybox cannot be had
# (so a test may skip), 1 on any other error.
#
# The guest's /init reads these kernel command line parameters:
#
#   guest_ip=ADDR/LEN     address of eth0 (required to ping)
#   guest_peer=ADDR       address to ping once a second
#   guest_count=N         stop pinging after N replies (default 0: never);
#                         the guest keeps answering pings either way
#   guest_reboot_after=N  reboot (reboot -f) after N replies
#   guest_down_after=S    S seconds after it is up, take eth0 down (the
#                         driver stops taking packets off its receive
#                         ring, whose buffers stay with the device)
#   guest_probe=1         print GUEST-BOOTED and power off at once
#   guest_cmds=1          run the commands that come, a line each, on the
#                         second serial port (ttyS1), each in a shell
#                         whose output goes to the console, and print
#                         "GUEST-CMD-DONE N STATUS" after the Nth
#
# and prints to its console "GUEST-UP ADDR" once eth0 is configured and
# "GUEST-PING-OK PEER N" for the Nth reply.
#
# Besides busybox, the guest has Debian's ethtool (with the libraries it
# needs, copied from the host), for "ethtool -L eth0 combined N".

set -e

if test $# != 1; then
    echo "usage: $0 OUTDIR" >&2
    exit 1
fi
out=$1
script=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
stamp=$(cksum < "$script" | awk '{print $1 "-" $2}')

if test -f "$out/vmlinuz" && test -f "$out/initrd.gz" \
        && test "$(cat "$out/stamp" 2>/dev/null)" = "$stamp"; then
    exit 0
fi

unavailable () {
    echo "$0: $*" >&2
    exit 77
}

# Host packages.
missing=
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null \
    | grep -q "ok installed" || missing="$missing busybox-static"
command -v cpio >/dev/null || missing="$missing cpio"
command -v xz >/dev/null || missing="$missing xz-utils"
command -v qemu-system-x86_64 >/dev/null || missing="$missing qemu-system-x86"
test -x /usr/sbin/ethtool || missing="$missing ethtool"
if test -n "$missing"; then
    test "$(id -u)" = 0 || unavailable "missing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 || {
        apt-get update -q >/dev/null 2>&1
        apt-get install -y -q --no-install-recommends $missing >/dev/null \
            || unavailable "cannot install$missing"
    }
fi
busybox=/bin/busybox
test -x $busybox || unavailable "no $busybox"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/build-guest.XXXXXX")
trap 'rm -rf "$tmp"' 0

# The kernel: the package that linux-image-amd64 depends on, unpacked.
kpkg() {
    apt-cache depends linux-image-amd64 2>/dev/null \
        | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'
}
pkg=$(kpkg)
if test -z "$pkg"; then
    apt-get update -q >/dev/null 2>&1 || true
    pkg=$(kpkg)
fi
test -n "$pkg" || unavailable "apt-cache knows no linux-image-amd64"
(cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1) \
    || unavailable "cannot download $pkg"
dpkg-deb -x "$tmp"/"$pkg"_*.deb "$tmp/k"
kernel=$(ls "$tmp"/k/boot/vmlinuz-* | head -n 1)
config=$(ls "$tmp"/k/boot/config-* | head -n 1)
test -f "$kernel" && test -f "$config"
moddir=$(ls -d "$tmp"/k/lib/modules/* | head -n 1)

# The modules virtio_net needs, in load order.  The package has no
# modules.dep (depmod makes it at install time), so the dependencies come
# from each module's own "depends=" tag.
root=$tmp/root
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" \
         "$root/lib/modules"
: > "$tmp/order"
modfile () {
    find "$moddir" -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" \
        -o -name "$1.ko.gz" | head -n 1
}
addmod () {
    local name=$1 file deps dep

    grep -qx "$name" "$tmp/order" && return 0
    file=$(modfile "$name")
    if test -z "$file"; then
        # Built into the kernel?
        grep -q "/$name.ko\$" "$moddir/modules.builtin" && return 0
        echo "$0: module $name is neither in $pkg nor built in" >&2
        exit 1
    fi
    case $file in
        *.xz) xz -dc "$file" > "$root/lib/modules/$name.ko" ;;
        *.zst) zstd -qdc "$file" > "$root/lib/modules/$name.ko" ;;
        *.gz) gzip -dc "$file" > "$root/lib/modules/$name.ko" ;;
        *) cp "$file" "$root/lib/modules/$name.ko" ;;
    esac
    deps=$(tr '\0' '\n' < "$root/lib/modules/$name.ko" \
               | sed -n 's/^depends=//p' | head -n 1 | tr ',' ' ')
    for dep in $deps; do
        addmod "$(echo $dep | tr - _)"
    done
    echo "$name" >> "$tmp/order"
}
for m in virtio_pci virtio_net; do
    addmod $m
done
cp "$tmp/order" "$root/lib/modules/order"

cp "$busybox" "$root/bin/busybox"
for applet in sh mount insmod ip ping sleep cat grep sed echo seq \
              reboot poweroff ls stty; do
    ln -s busybox "$root/bin/$applet"
done
# ethtool and the shared libraries it needs, at the same paths.
cp /usr/sbin/ethtool "$root/bin/ethtool"
for lib in $(ldd /usr/sbin/ethtool | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname $lib)"
    cp -L "$lib" "$root$lib"
done
# The kernel opens /dev/console before it runs /init.
mknod "$root/dev/console" c 5 1 2>/dev/null || true

cat > "$root/init" <<'EOF'
#! /bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1

arg () {
    for word in $(cat /proc/cmdline); do
        case $word in
            $1=*) echo "${word#*=}"; return ;;
        esac
    done
    echo "$2"
}

if test "$(arg guest_probe 0)" = 1; then
    echo GUEST-BOOTED
    poweroff -f
fi

for m in $(cat /lib/modules/order); do
    insmod /lib/modules/$m.ko || echo "GUEST-ERROR insmod $m"
done

ip=$(arg guest_ip)
peer=$(arg guest_peer)
count=$(arg guest_count 0)
reboot_after=$(arg guest_reboot_after 0)

n=0
while ! test -e /sys/class/net/eth0; do
    n=$((n + 1))
    if test $n -gt 300; then
        echo "GUEST-ERROR no eth0"
        break
    fi
    sleep 0.1
done
ip link set lo up
ip link set eth0 up
test -z "$ip" || ip addr add $ip dev eth0
echo "GUEST-UP $ip"
down_after=$(arg guest_down_after 0)
if test $down_after != 0; then
    (sleep $down_after; ip link set eth0 down; echo GUEST-DOWN) &
fi

if test "$(arg guest_cmds 0)" = 1; then
    (
        stty -F /dev/ttyS1 -echo 2>/dev/null
        n=0
        while read -r line; do
            n=$((n + 1))
            sh -c "$line"
            echo "GUEST-CMD-DONE $n $?"
        done < /dev/ttyS1
    ) &
fi

ok=0
while test -n "$peer"; do
    if test $count != 0 && test $ok -ge $count; then
        break
    fi
    if ping -c 1 -W 1 $peer >/dev/null 2>&1; then
        ok=$((ok + 1))
        echo "GUEST-PING-OK $peer $ok"
        if test $reboot_after != 0 && test $ok -ge $reboot_after; then
            echo "GUEST-REBOOT"
            reboot -f
        fi
        sleep 1
    else
        sleep 0.2
    fi
done

# Keep answering pings.
while true; do
    sleep 3600
done
EOF
chmod +x "$root/init"

mkdir -p "$out"
(cd "$root" && find . | cpio -o -H newc --quiet) \
    | gzip -9 > "$out/initrd.gz.tmp"
cp "$kernel" "$out/vmlinuz.tmp"
mv "$out/initrd.gz.tmp" "$out/initrd.gz"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
echo "$pkg" > "$out/kernel-package"
echo "$stamp" > "$out/stamp"
