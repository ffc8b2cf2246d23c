# Read by make together with Open vSwitch's own Makefile (see "ovs-build"
# in Makefile.am): builds OVS's generated headers, which only its "all"
# target would otherwise make first, then the parts of OVS that our
# ovs-vswitchd links and that the tests and the demo run.
.PHONY: vdpa-parts
vdpa-parts: $(BUILT_SOURCES)
	$(MAKE) $(AM_MAKEFLAGS) \
		ofproto/libofproto.la lib/libsflow.la lib/libopenvswitch.la \
		vswitchd/bridge.$(OBJEXT) vswitchd/ovs-vswitchd.$(OBJEXT) \
		vswitchd/system-stats.$(OBJEXT) \
		ovsdb/ovsdb-server ovsdb/ovsdb-tool ovsdb/ovsdb-client \
		utilities/ovs-vsctl utilities/ovs-appctl utilities/ovs-ofctl \
		utilities/ovs-dpctl vswitchd/vswitch.ovsschema.stamp
