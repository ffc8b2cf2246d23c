EXTRA_DIST += ovsdb/dpdkvdpa.xml

# The dpdkvdpa(5) manpage, rendered from ovsdb/dpdkvdpa.xml with OVS's own
# Python modules, which also check the XML against OVS's schema.
nodist_man5_MANS = ovsdb/dpdkvdpa.5
EXTRA_DIST += ovsdb/dpdkvdpa-doc
CLEANFILES += ovsdb/dpdkvdpa.5 ovsdb/dpdkvdpa.5.tmp
ovsdb/dpdkvdpa.5: ovsdb/dpdkvdpa.xml ovsdb/dpdkvdpa-doc
	$(AM_V_GEN)$(MKDIR_P) ovsdb && \
	PYTHONPATH=$(OVS_SRCDIR)/python PYTHONDONTWRITEBYTECODE=yes \
	$(PYTHON3) $(srcdir)/ovsdb/dpdkvdpa-doc \
		--version=$(PACKAGE_VERSION) \
		$(OVS_SRCDIR)/vswitchd/vswitch.ovsschema \
		$(srcdir)/ovsdb/dpdkvdpa.xml > $@.tmp && \
	mv $@.tmp $@
