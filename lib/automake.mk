noinst_LTLIBRARIES += lib/libovs-vdpa.la
lib_libovs_vdpa_la_SOURCES = \
	lib/dpdkvdpa-config.c \
	lib/dpdkvdpa-config.h \
	lib/dpdkvdpa-mempool.c \
	lib/dpdkvdpa-counter.h \
	lib/dpdkvdpa-mempool.h \
	lib/dpdkvdpa-qos.c \
	lib/dpdkvdpa-qos.h \
	lib/netdev-dpdkvdpa.c \
	lib/netdev-dpdkvdpa.h \
	lib/vdpa-caps.c \
	lib/vdpa-caps.h \
	lib/vdpa-driver.h \
	lib/vdpa-engine-list.c \
	lib/vdpa-engine.c \
	lib/vdpa-engine.h \
	lib/vdpa-sim-device.c \
	lib/vdpa-sim-inline.c \
	lib/vdpa-sim-options.c \
	lib/vdpa-sim-private.h \
	lib/vdpa-sim-thread.c \
	lib/vdpa-sim.c \
	lib/vdpa-sim.h \
	lib/virtq.c \
	lib/virtq.h
