EXTRA_DIST += \
	utilities/ovs-vdpa-bench.sh \
	utilities/ovs-vdpa-check.sh \
	utilities/ovs-vdpa-demo.sh \
	utilities/ovs-vdpa-lib.sh \
	utilities/ovs-vdpa-sandbox.sh \
	utilities/ovs-vdpa-setup.sh

# The benchmark's packet generator: two virtio-user guests in one process,
# for zero-loss rates and round-trip times (utilities/ovs-vdpa-bench.sh).
noinst_PROGRAMS += utilities/ovs-vdpa-pktgen
utilities_ovs_vdpa_pktgen_SOURCES = utilities/ovs-vdpa-pktgen.c
utilities_ovs_vdpa_pktgen_CPPFLAGS = -DALLOW_EXPERIMENTAL_API $(DPDK_CFLAGS)
# DPDK loads the virtio-user driver from its driver directory.
utilities_ovs_vdpa_pktgen_LDADD = $(DPDK_LIBS) -lm
