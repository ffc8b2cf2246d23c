EXTRA_DIST += \
	utilities/ovs-vdpa-check.sh \
	utilities/ovs-vdpa-demo.sh \
	utilities/ovs-vdpa-setup.sh
