# Our ovs-vswitchd: OVS's own vswitchd objects and libraries, plus ours.
sbin_PROGRAMS += vswitchd/ovs-vswitchd
vswitchd_ovs_vswitchd_SOURCES = vswitchd/dpdkvdpa-register.c
vswitchd_ovs_vswitchd_LDADD = \
	$(OVS_VSWITCHD_OBJECTS) \
	lib/libovs-vdpa.la \
	$(OVS_LIBS_LA) \
	$(OVS_LIBS) $(DPDK_EXTRA_LIBS)
vswitchd_ovs_vswitchd_LDFLAGS = $(AM_LDFLAGS) $(OVS_VSWITCHD_LDFLAGS) \
	-Wl,--wrap=netdev_dpdk_register
