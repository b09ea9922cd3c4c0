# Installation (cmake --install) and the Debian package (cpack -G DEB).
#
#   cmake --install build --prefix /usr          binaries, units, sysusers, tmpfiles, examples
#   (DESTDIR=/some/root cmake --install ... to stage it elsewhere)
#   cd build && cpack -G DEB                     shopsync_<version>_<arch>.deb
#
# What goes where (prefix /usr):
#   /usr/bin/shopsyncd, /usr/bin/shopsyncctl      (not the simulator: it is a test tool)
#   /usr/lib/systemd/system/shopsyncd.service, shopsyncd@.service
#   /usr/lib/sysusers.d/shopsync.conf, /usr/lib/tmpfiles.d/shopsync.conf
#   /etc/shopsync/shopsync.toml.example           the annotated example (copy to shopsync.toml)
#   /usr/share/doc/shopsync/                      README.md, docs/*.md, nginx samples
# The package's postinst runs systemd-sysusers and systemd-tmpfiles for shopsync's snippets and
# reloads systemd; it enables nothing: the configuration must be written first.
include(GNUInstallDirs)

set(SHOPSYNC_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING "systemd units, relative to the prefix")
set(SHOPSYNC_SYSUSERS_DIR "lib/sysusers.d" CACHE STRING "sysusers.d snippets, relative to the prefix")
set(SHOPSYNC_TMPFILES_DIR "lib/tmpfiles.d" CACHE STRING "tmpfiles.d snippets, relative to the prefix")
# Absolute, whatever the prefix (the units read /etc/shopsync): stage with DESTDIR, e.g.
# DESTDIR=/tmp/root cmake --install build --prefix /usr
set(SHOPSYNC_SYSCONFDIR "/etc" CACHE PATH "where shopsync/shopsync.toml.example goes (absolute)")

install(TARGETS shopsyncd shopsyncctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES systemd/shopsyncd.service systemd/shopsyncd@.service DESTINATION ${SHOPSYNC_SYSTEMD_UNIT_DIR})
install(FILES systemd/shopsync.sysusers.conf DESTINATION ${SHOPSYNC_SYSUSERS_DIR} RENAME shopsync.conf)
install(FILES systemd/shopsync.tmpfiles.conf DESTINATION ${SHOPSYNC_TMPFILES_DIR} RENAME shopsync.conf)
install(FILES config/shopsync.example.toml DESTINATION ${SHOPSYNC_SYSCONFDIR}/shopsync
        RENAME shopsync.toml.example PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
file(GLOB SHOPSYNC_DOCS CONFIGURE_DEPENDS docs/*.md)
install(FILES README.md ${SHOPSYNC_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY config/nginx/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/nginx)

set(CPACK_PACKAGE_NAME shopsync)
set(CPACK_PACKAGE_VENDOR "shopsync")
set(CPACK_PACKAGE_CONTACT "shopsync maintainers <root@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "keeps Shopify stores in step (inventory and orders)")
set(CPACK_PACKAGE_DESCRIPTION "shopsyncd syncs inventory levels and orders between Shopify stores; \
shopsyncctl asks it questions. Runs as the systemd service shopsyncd (or shopsyncd@NAME).")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: the shared libraries' packages, as dpkg-shlibdeps finds them (librocksdb7.8,
# libcaf-core0.17.6, libssl3, libsystemd0, libspdlog1.10, libfmt9, libstdc++6, ...), plus systemd
# for the units and the sysusers/tmpfiles snippets the postinst applies.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nginx")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/postinst;${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/prerm;${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Stripped binaries, as Debian ships them (the build tree keeps its -g1 ones for backtraces).
set(CPACK_STRIP_FILES ON)
include(CPack)
