# The Debian package openvswitch-switch-vdpa: "make deb" builds it from
# this build directory with debian/rules (see there), into this directory.
#
# Its ovs-vswitchd, vswitchd/ovs-vswitchd-vdpa, is ours linked again with
# the directories of Debian's openvswitch-switch (/var/run/openvswitch,
# /var/log/openvswitch, /etc/openvswitch...) instead of those the OVS tree
# was configured with: vswitchd/dirs-debian.c, made from OVS's own
# lib/dirs.c.in as OVS makes lib/dirs.c, comes before libopenvswitch.a, so
# that the linker takes no lib/dirs.o from it.
EXTRA_PROGRAMS += vswitchd/ovs-vswitchd-vdpa
vswitchd_ovs_vswitchd_vdpa_SOURCES = vswitchd/dpdkvdpa-register.c
nodist_vswitchd_ovs_vswitchd_vdpa_SOURCES = vswitchd/dirs-debian.c
vswitchd_ovs_vswitchd_vdpa_LDADD = $(vswitchd_ovs_vswitchd_LDADD)
vswitchd_ovs_vswitchd_vdpa_LDFLAGS = $(vswitchd_ovs_vswitchd_LDFLAGS)
CLEANFILES += vswitchd/dirs-debian.c vswitchd/dirs-debian.c.tmp

vswitchd/dirs-debian.c: $(OVS_SRCDIR)/lib/dirs.c.in
	$(AM_V_GEN)$(MKDIR_P) vswitchd && sed < $(OVS_SRCDIR)/lib/dirs.c.in \
		-e 's,[@]srcdir[@],$(OVS_SRCDIR),g' \
		-e 's,[@]LOGDIR[@],"/var/log/openvswitch",g' \
		-e 's,[@]RUNDIR[@],"/var/run/openvswitch",g' \
		-e 's,[@]DBDIR[@],"/etc/openvswitch",g' \
		-e 's,[@]bindir[@],"/usr/bin",g' \
		-e 's,[@]sysconfdir[@],"/etc",g' \
		-e 's,[@]pkgdatadir[@],"/usr/share/openvswitch",g' \
		> $@.tmp && mv $@.tmp $@

EXTRA_DIST += \
	debian/README.Debian \
	debian/automake.mk \
	debian/changelog \
	debian/control \
	debian/copyright \
	debian/postinst \
	debian/prerm \
	debian/rules \
	debian/source/format

deb: all vswitchd/ovs-vswitchd-vdpa ovsdb/dpdkvdpa.5
	rm -rf deb-build && $(MKDIR_P) deb-build && \
	cp -R $(srcdir)/debian deb-build/debian && \
	cd deb-build && $(MAKE) -f debian/rules binary \
		SRCDIR=$(abs_top_srcdir) BUILDDIR=$(abs_top_builddir) \
		DEBDIR=$(abs_top_builddir)
	rm -rf deb-build
clean-local: deb-clean
deb-clean:
	rm -rf deb-build openvswitch-switch-vdpa_*.deb
