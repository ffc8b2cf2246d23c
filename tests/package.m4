# Signature of the current package.
m4_define([AT_PACKAGE_NAME],      [ovs-vdpa])
m4_define([AT_PACKAGE_TARNAME],   [ovs-vdpa])
m4_define([AT_PACKAGE_VERSION],   [0.1.0])
m4_define([AT_PACKAGE_STRING],    [ovs-vdpa 0.1.0])
m4_define([AT_PACKAGE_BUGREPORT], [dev@ovs-vdpa.invalid])
