# -*- autoconf -*-
# Copyright (c) 2026 The ovs-vdpa authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at:
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

dnl VDPA_CHECK_DPDK
dnl
dnl Finds DPDK 22.11 with pkg-config.
AC_DEFUN([VDPA_CHECK_DPDK], [
  PKG_CHECK_MODULES([DPDK], [libdpdk >= 22.11 libdpdk < 22.12], [],
    [AC_MSG_ERROR([DPDK 22.11 was not found with pkg-config ($DPDK_PKG_ERRORS).
On Debian 12, install it with: apt-get install libdpdk-dev])])

  dnl DPDK's vDPA driver interface: installed by some DPDK builds only, else
  dnl lib/vdpa-driver.h declares DPDK 22.11's layout.
  vdpa_save_CPPFLAGS=$CPPFLAGS
  CPPFLAGS="$CPPFLAGS $DPDK_CFLAGS"
  AC_CHECK_HEADER([vdpa_driver.h],
    [VDPA_DEFINES=-DHAVE_VDPA_DRIVER_H=1], [VDPA_DEFINES=])
  CPPFLAGS=$vdpa_save_CPPFLAGS
  AC_SUBST([VDPA_DEFINES])

  dnl The software vDPA engine's representors are ring ethdevs, whose
  dnl libraries pkg-config does not list.
  DPDK_EXTRA_LIBS="-lrte_net_ring -lrte_bus_vdev"
  AC_SUBST([DPDK_EXTRA_LIBS])
])

dnl VDPA_OVS_MAKEVAR(FILE, VAR)
dnl
dnl Prints the value of make variable VAR as set in Makefile FILE.
AC_DEFUN([VDPA_OVS_MAKEVAR],
  [`sed -n 's/^$2 = //p' "$1" | head -n 1`])

dnl VDPA_CHECK_OVS
dnl
dnl Locates the Open vSwitch 3.1 source and build trees we build against.
dnl Without --with-ovs-source, unpacks Debian's openvswitch-source tarball
dnl into "ovs/" in the build directory and configures it with DPDK; "make"
dnl then builds it before our own objects.
AC_DEFUN([VDPA_CHECK_OVS], [
  AC_ARG_WITH([ovs-source],
    [AS_HELP_STRING([--with-ovs-source=DIR],
                    [Open vSwitch 3.1 source tree (default: unpack Debian's
                     openvswitch-source into ./ovs)])],
    [OVS_SRCDIR=`cd "$withval" && pwd`], [OVS_SRCDIR=])
  AC_ARG_WITH([ovs-build],
    [AS_HELP_STRING([--with-ovs-build=DIR],
                    [Open vSwitch build tree, configured --with-dpdk
                     (default: the source tree)])],
    [OVS_BUILDDIR=`cd "$withval" && pwd`], [OVS_BUILDDIR=])
  AC_ARG_VAR([OVS_TARBALL],
    [Open vSwitch source tarball
     (default: /usr/src/openvswitch/openvswitch.tar.gz)])
  : ${OVS_TARBALL=/usr/src/openvswitch/openvswitch.tar.gz}

  vdpa_bundled_ovs=false
  if test -z "$OVS_SRCDIR"; then
    vdpa_bundled_ovs=true
    OVS_SRCDIR=`pwd`/ovs
    if test ! -f "$OVS_SRCDIR/configure"; then
      if test ! -f "$OVS_TARBALL"; then
        AC_MSG_ERROR([$OVS_TARBALL not found.
Install Debian's Open vSwitch source with: apt-get install openvswitch-source
or name an Open vSwitch 3.1 tree with --with-ovs-source=DIR])
      fi
      AC_MSG_NOTICE([unpacking $OVS_TARBALL into $OVS_SRCDIR])
      rm -rf ovs.tmp && mkdir ovs.tmp &&
        tar -xzf "$OVS_TARBALL" -C ovs.tmp &&
        mv ovs.tmp/* "$OVS_SRCDIR" && rmdir ovs.tmp ||
        AC_MSG_ERROR([could not unpack $OVS_TARBALL])
    fi
  fi
  test -n "$OVS_BUILDDIR" || OVS_BUILDDIR=$OVS_SRCDIR

  AC_MSG_CHECKING([Open vSwitch source version])
  ovs_version=`sed -n "s/^PACKAGE_VERSION='\\(.*\\)'$/\\1/p" \
               "$OVS_SRCDIR/configure" 2>/dev/null`
  AC_MSG_RESULT([${ovs_version:-none}])
  case $ovs_version in
    3.1.*) ;;
    *) AC_MSG_ERROR([$OVS_SRCDIR is not an Open vSwitch 3.1 source tree]) ;;
  esac

  if test ! -f "$OVS_BUILDDIR/config.h"; then
    if $vdpa_bundled_ovs; then
      AC_MSG_NOTICE([configuring Open vSwitch in $OVS_BUILDDIR])
      (cd "$OVS_BUILDDIR" &&
       ./configure --with-dpdk=shared --enable-silent-rules \
                   CC="$CC" CFLAGS="$OVS_EXTRA_CFLAGS -g -O2" \
                   LDFLAGS="$OVS_EXTRA_LDFLAGS") > ovs-configure.log 2>&1 ||
        AC_MSG_ERROR([configuring Open vSwitch failed, see ovs-configure.log])
    else
      AC_MSG_ERROR([$OVS_BUILDDIR has no config.h: configure Open vSwitch
there with --with-dpdk=shared first])
    fi
  fi
  AC_MSG_CHECKING([whether Open vSwitch was configured with DPDK])
  if grep -q '^#define DPDK_NETDEV 1' "$OVS_BUILDDIR/config.h"; then
    AC_MSG_RESULT([yes])
  else
    AC_MSG_RESULT([no])
    AC_MSG_ERROR([$OVS_BUILDDIR was configured without DPDK: reconfigure it
with --with-dpdk=shared])
  fi

  dnl Link our ovs-vswitchd with what OVS's own links with.
  OVS_LIBS="VDPA_OVS_MAKEVAR([$OVS_BUILDDIR/Makefile], [LIBS]) dnl
VDPA_OVS_MAKEVAR([$OVS_BUILDDIR/Makefile], [SSL_LIBS]) dnl
VDPA_OVS_MAKEVAR([$OVS_BUILDDIR/Makefile], [CAPNG_LDADD])"
  OVS_VSWITCHD_LDFLAGS="VDPA_OVS_MAKEVAR([$OVS_BUILDDIR/Makefile],
                                         [DPDK_vswitchd_LDFLAGS])"
  dnl The Python 3 that OVS was configured with renders our manpage.
  PYTHON3="VDPA_OVS_MAKEVAR([$OVS_BUILDDIR/Makefile], [PYTHON3])"
  AC_SUBST([PYTHON3])
  AC_SUBST([OVS_SRCDIR])
  AC_SUBST([OVS_BUILDDIR])
  AC_SUBST([OVS_LIBS])
  AC_SUBST([OVS_VSWITCHD_LDFLAGS])
  AM_CONDITIONAL([BUNDLED_OVS], [$vdpa_bundled_ovs])
])

dnl VDPA_CHECK_SANITIZERS
dnl
dnl --enable-asan builds our code, and a bundled OVS, with AddressSanitizer;
dnl --enable-ubsan with UndefinedBehaviorSanitizer.  Both may be given.
AC_DEFUN([VDPA_CHECK_SANITIZERS], [
  AC_ARG_ENABLE([asan],
    [AS_HELP_STRING([--enable-asan], [build with AddressSanitizer])],
    [], [enable_asan=no])
  AC_ARG_ENABLE([ubsan],
    [AS_HELP_STRING([--enable-ubsan],
                    [build with UndefinedBehaviorSanitizer])],
    [], [enable_ubsan=no])
  if test "$enable_asan" = yes; then
    ASAN_CFLAGS="-fsanitize=address -fno-omit-frame-pointer"
    ASAN_LDFLAGS="-fsanitize=address"
  fi
  if test "$enable_ubsan" = yes; then
    UBSAN_CFLAGS="-fsanitize=undefined -fno-omit-frame-pointer"
    UBSAN_LDFLAGS="-fsanitize=undefined"
  fi
  OVS_EXTRA_CFLAGS="$ASAN_CFLAGS $UBSAN_CFLAGS"
  OVS_EXTRA_LDFLAGS="$ASAN_LDFLAGS $UBSAN_LDFLAGS"
  AC_SUBST([ASAN_CFLAGS])
  AC_SUBST([ASAN_LDFLAGS])
  AC_SUBST([UBSAN_CFLAGS])
  AC_SUBST([UBSAN_LDFLAGS])
])

dnl VDPA_CHECK_TESTPMD
dnl
dnl The system tests use dpdk-testpmd with net_virtio_user as the guest.
AC_DEFUN([VDPA_CHECK_TESTPMD], [
  AC_PATH_PROG([TESTPMD], [dpdk-testpmd], [])
  if test -z "$TESTPMD"; then
    AC_MSG_WARN([dpdk-testpmd not found (apt-get install dpdk): the system
tests will be skipped])
  fi
])

dnl VDPA_CHECK_CC_OPTION(OPTION, [ACTION-IF-ACCEPTED], [ACTION-IF-REJECTED])
dnl
dnl Checks whether $CC compiles a program with OPTION without complaint.
AC_DEFUN([VDPA_CHECK_CC_OPTION], [
  AS_VAR_PUSHDEF([vdpa_cv], [vdpa_cv_cc_option_$1])
  AC_CACHE_CHECK([whether $CC accepts $1], [vdpa_cv], [
    vdpa_save_CFLAGS=$CFLAGS
    CFLAGS="$CFLAGS -Werror $1"
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
      [AS_VAR_SET([vdpa_cv], [yes])], [AS_VAR_SET([vdpa_cv], [no])])
    CFLAGS=$vdpa_save_CFLAGS])
  AS_VAR_IF([vdpa_cv], [yes], [$2], [$3])
  AS_VAR_POPDEF([vdpa_cv])
])

dnl VDPA_CHECK_WARNINGS
dnl
dnl Compiler warnings for our own code (never for the OVS tree we build):
dnl with clang, -Wthread-safety checks the OVS_GUARDED, OVS_REQUIRES, ...
dnl annotations, which are otherwise only comments.  --enable-Werror turns
dnl every warning into an error.
AC_DEFUN([VDPA_CHECK_WARNINGS], [
  AC_ARG_ENABLE([Werror],
    [AS_HELP_STRING([--enable-Werror],
                    [fail the build of our code on any compiler warning])],
    [], [enable_Werror=no])
  WARNING_CFLAGS=
  VDPA_CHECK_CC_OPTION([-Wthread-safety],
    [WARNING_CFLAGS="$WARNING_CFLAGS -Wthread-safety"])
  if test "$enable_Werror" = yes; then
    WARNING_CFLAGS="$WARNING_CFLAGS -Werror"
  fi
  AC_SUBST([WARNING_CFLAGS])
])
