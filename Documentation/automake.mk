EXTRA_DIST += Documentation/howto/dpdkvdpa.rst
EXTRA_DIST += Documentation/howto/libvirt-dpdkvdpa.xml
EXTRA_DIST += Documentation/benchmark.rst
