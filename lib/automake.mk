noinst_LTLIBRARIES += lib/libovs-vdpa.la
lib_libovs_vdpa_la_SOURCES = \
	lib/dpdkvdpa-config.c \
	lib/dpdkvdpa-config.h \
	lib/dpdkvdpa-mempool.c \
	lib/dpdkvdpa-mempool.h \
	lib/netdev-dpdkvdpa.c \
	lib/netdev-dpdkvdpa.h
