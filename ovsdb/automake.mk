EXTRA_DIST += ovsdb/dpdkvdpa.xml
