# Turns OVS's own tests of its vhost-user ports (tests/system-dpdk.at and
# tests/system-dpdk-macros.at in the OVS source tree) into tests of
# dpdkvdpa ports, at build time (see tests/automake.mk).  Only two kinds of
# change are made.
#
# The port type.  A dpdkvdpa port without options:vhost-server-path is in
# server mode, as a dpdkvhostuser port is; with it, in client mode, as a
# dpdkvhostuserclient port is.
s/type=dpdkvhostuserclient\b/type=dpdkvdpa/g
s/type=dpdkvhostuser\b/type=dpdkvdpa/g
#
# This machine's EAL arguments: no hugepages (so no hugepage prerequisite;
# DPDK then needs --legacy-mem, and so a --file-prefix of its own) and no
# PCI probing, for ovs-vswitchd and for dpdk-testpmd.  testpmd also gets
# three lcores on the two CPUs, since the vhost-user-client ping test asks
# it for two forwarding cores besides its main one.
s/other_config:dpdk-extra=--log-level=pmd\.\*:error/other_config:dpdk-extra="--log-level=pmd.*:error --no-huge -m 1024 --legacy-mem --no-pci --file-prefix=vdpa-parity"/
/AT_SKIP_IF(\[grep -E 'HugePages_Free: \*0' stdout\]/d
/AT_CHECK(\[grep 'hugetlbfs' stdout\]/d
s/--socket-mem="\$(cat NUMA_NODE)"/--no-huge -m 1024 --lcores=0@0,1@1,2@1/
#
# This machine's kernel has no openvswitch module, so "ovs-appctl
# dpctl/show", which lists the datapaths of every type, warns that it could
# not list the "system" ones, as any ovs-vswitchd would here.  OVS's ping
# tests already allow that warning; the others get it too.
s/^\\@Rx checksum offload is not supported on@d$/&\n\\@failed to enumerate system datapaths: No such file or directory@d/
