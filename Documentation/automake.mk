EXTRA_DIST += Documentation/howto/dpdkvdpa.rst
