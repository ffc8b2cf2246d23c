EXTRA_DIST += \
	utilities/ovs-vdpa-bench.sh \
	utilities/ovs-vdpa-check.sh \
	utilities/ovs-vdpa-demo.sh \
	utilities/ovs-vdpa-lib.sh \
	utilities/ovs-vdpa-sandbox.sh \
	utilities/ovs-vdpa-setup.sh
