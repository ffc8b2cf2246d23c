# Two autotest suites, as OVS has: tests/testsuite, the unit tests, which
# "make check" runs as any user, and tests/system-testsuite, the tests with
# ovs-vswitchd, DPDK, dpdk-testpmd and QEMU guests, which "make
# check-system" runs as root.  Both reuse OVS's tests/ovs-macros.at straight
# from the OVS source tree (the way OVN does), so nothing of OVS is copied
# here.  TESTSUITEFLAGS works for both, e.g.
#   make check-system TESTSUITEFLAGS='-k multiqueue -j2'
EXTRA_DIST += \
	$(TESTSUITE_AT) \
	$(SYSTEM_TESTSUITE_AT) \
	tests/atlocal.in \
	tests/guest/build-guest.sh \
	tests/system-dpdk-parity.sed \
	package.m4
TESTSUITE_AT = \
	tests/testsuite.at \
	tests/unit-config.at \
	tests/unit-virtq.at \
	tests/unit-docs.at \
	tests/unit-libvirt.at
SYSTEM_TESTSUITE_AT = \
	tests/system-testsuite.at \
	tests/vdpa-macros.at \
	tests/system-vdpa.at \
	tests/system-vdpa-hw.at \
	tests/system-vdpa-switch.at \
	tests/system-vdpa-cycles.at \
	tests/system-vdpa-robust.at \
	tests/system-vdpa-fuzz.at \
	tests/system-vdpa-faults.at \
	tests/system-vdpa-guest.at \
	tests/system-vdpa-package.at \
	tests/system-vdpa-ovn.at \
	tests/system-vdpa-parity.at \
	tests/system-vdpa-bench.at \
	tests/system-vdpa-migration.at \
	tests/system-vdpa-qos.at \
	tests/system-vdpa-hotplug.at
# Generated in the build directory, so that several build directories of
# one source tree can run their suites at once.
TESTSUITE = tests/testsuite
SYSTEM_TESTSUITE = tests/system-testsuite
DISTCLEANFILES = tests/atlocal tests/atconfig

# Our ovs-vswitchd first, then OVS's own tools from the same build.
AUTOTEST_PATH = $(abs_top_builddir)/vswitchd:$(abs_top_builddir)/tests:$(OVS_BUILDDIR)/ovsdb:$(OVS_BUILDDIR)/utilities

check-local: tests/atlocal $(TESTSUITE) $(check_PROGRAMS)
	$(SHELL) '$(TESTSUITE)' -C tests AUTOTEST_PATH='$(AUTOTEST_PATH)' \
		$(TESTSUITEFLAGS)

check-system: all tests/atlocal $(SYSTEM_TESTSUITE) $(check_PROGRAMS) \
		$(PARITY_TESTSUITE)
	$(SHELL) '$(SYSTEM_TESTSUITE)' -C tests \
		AUTOTEST_PATH='$(AUTOTEST_PATH)' $(TESTSUITEFLAGS)

# Builds the test programs without running a test (the check script's
# clang build).
check-programs: $(check_PROGRAMS)

clean-local: tests-clean
tests-clean:
	test ! -f '$(TESTSUITE)' || $(SHELL) '$(TESTSUITE)' -C tests --clean
	test ! -f '$(SYSTEM_TESTSUITE)' || \
		$(SHELL) '$(SYSTEM_TESTSUITE)' -C tests --clean
	rm -rf tests/parity

AUTOM4TE = autom4te
AUTOTEST = $(AUTOM4TE) -l autotest
$(TESTSUITE): $(TESTSUITE_AT:%=$(srcdir)/%) $(srcdir)/package.m4
	$(AM_V_GEN)$(AUTOTEST) -I '$(srcdir)' -I '$(OVS_SRCDIR)' \
		-o $@.tmp $(srcdir)/$@.at && mv $@.tmp $@
$(SYSTEM_TESTSUITE): $(SYSTEM_TESTSUITE_AT:%=$(srcdir)/%) \
		$(srcdir)/package.m4
	$(AM_V_GEN)$(AUTOTEST) -I '$(srcdir)' -I '$(OVS_SRCDIR)' \
		-o $@.tmp $(srcdir)/$@.at && mv $@.tmp $@

# OVS's own system-dpdk tests of its vhost-user ports, run on dpdkvdpa
# ports: tests/parity/testsuite is built here from OVS's
# tests/system-dpdk-testsuite.at, as OVS's tests/automake.mk builds its
# tests/system-dpdk-testsuite, with OVS's tests/system-dpdk.at and
# tests/system-dpdk-macros.at changed by tests/system-dpdk-parity.sed (the
# port type and this machine's EAL arguments only).  It runs in
# tests/parity, whose atconfig points to the OVS source tree (the schema,
# the Python scripts) and whose atlocal is OVS's.  tests/system-vdpa-parity.at
# runs it.
PARITY_DIR = tests/parity
PARITY_TESTSUITE = $(PARITY_DIR)/testsuite
PARITY_DEPS = \
	$(OVS_SRCDIR)/tests/system-dpdk-testsuite.at \
	$(OVS_SRCDIR)/tests/system-dpdk.at \
	$(OVS_SRCDIR)/tests/system-dpdk-macros.at \
	$(srcdir)/tests/system-dpdk-parity.sed
$(PARITY_TESTSUITE): $(PARITY_DEPS) $(OVS_BUILDDIR)/tests/atlocal
	$(AM_V_GEN)rm -rf $(PARITY_DIR)/tests && \
	$(MKDIR_P) $(PARITY_DIR)/tests && \
	for f in system-dpdk.at system-dpdk-macros.at; do \
	  sed -f $(srcdir)/tests/system-dpdk-parity.sed \
	    $(OVS_SRCDIR)/tests/$$f > $(PARITY_DIR)/tests/$$f || exit 1; \
	done && \
	{ echo "at_testdir='$(PARITY_DIR)'" && \
	  echo "abs_builddir='$(abs_builddir)/$(PARITY_DIR)'" && \
	  echo "at_srcdir='$(OVS_SRCDIR)/tests'" && \
	  echo "abs_srcdir='$(OVS_SRCDIR)/tests'" && \
	  echo "at_top_srcdir='$(OVS_SRCDIR)'" && \
	  echo "abs_top_srcdir='$(OVS_SRCDIR)'" && \
	  echo "at_top_build_prefix='$(OVS_BUILDDIR)/'" && \
	  echo "abs_top_builddir='$(OVS_BUILDDIR)'" && \
	  echo "at_top_builddir='$(OVS_BUILDDIR)/'" && \
	  echo "EXEEXT=''" && \
	  echo "SHELL=\$${CONFIG_SHELL-'$(SHELL)'}"; \
	} > $(PARITY_DIR)/atconfig && \
	cp $(OVS_BUILDDIR)/tests/atlocal $(PARITY_DIR)/atlocal && \
	$(AUTOTEST) -I $(PARITY_DIR) -I '$(OVS_SRCDIR)' \
		-I '$(OVS_SRCDIR)/tests' -o $@.tmp \
		$(OVS_SRCDIR)/tests/system-dpdk-testsuite.at && mv $@.tmp $@

$(srcdir)/package.m4: $(top_srcdir)/configure.ac
	$(AM_V_GEN):;{ \
	  echo '# Signature of the current package.' && \
	  echo 'm4_define([AT_PACKAGE_NAME],      [$(PACKAGE_NAME)])' && \
	  echo 'm4_define([AT_PACKAGE_TARNAME],   [$(PACKAGE_TARNAME)])' && \
	  echo 'm4_define([AT_PACKAGE_VERSION],   [$(PACKAGE_VERSION)])' && \
	  echo 'm4_define([AT_PACKAGE_STRING],    [$(PACKAGE_STRING)])' && \
	  echo 'm4_define([AT_PACKAGE_BUGREPORT], [$(PACKAGE_BUGREPORT)])'; \
	} >'$(srcdir)/package.m4'

# Unit test programs, driven by tests/unit-*.at.
check_PROGRAMS = tests/test-dpdkvdpa-config
tests_test_dpdkvdpa_config_SOURCES = tests/test-dpdkvdpa-config.c
tests_test_dpdkvdpa_config_LDADD = lib/libovs-vdpa.la \
	$(OVS_BUILDDIR)/lib/libopenvswitch.la $(OVS_LIBS) $(DPDK_EXTRA_LIBS)

check_PROGRAMS += tests/test-virtq
tests_test_virtq_SOURCES = tests/test-virtq.c
tests_test_virtq_LDADD = lib/libovs-vdpa.la \
	$(OVS_BUILDDIR)/lib/libopenvswitch.la $(OVS_LIBS) $(DPDK_EXTRA_LIBS)

# A misbehaving vhost-user guest, driven by tests/system-vdpa-fuzz.at.
check_PROGRAMS += tests/test-vhost-frontend
tests_test_vhost_frontend_SOURCES = tests/test-vhost-frontend.c
tests_test_vhost_frontend_LDADD = \
	$(OVS_BUILDDIR)/lib/libopenvswitch.la $(OVS_LIBS)
