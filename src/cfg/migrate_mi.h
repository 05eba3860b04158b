/* cfg/migrate_mi: the MI command names of OpenSIPS 3.6.8 that 4.0.1 does not accept, and
 * the 4.0.1 command replacing each (old name, module, new name). Written by
 * data/catalogue/gen-migrate.mjs from data/catalogue/opensips-mi-catalogue-{3.6.8,4.0.1}.json:
 * edit those, not this file (a test runs it with --check). */
#define CFG_MIGRATE_MI_REMOVED(X) \
    X("bdb_reload", "db_berkeley", "db_berkeley:reload") \
    X("flat_rotate", "db_flatstore", "db_flatstore:rotate") \
    X("domain_reload", "domain", "domain:reload") \
    X("domain_dump", "domain", "domain:dump") \
    X("nh_enable_ping", "nathelper", "nathelper:enable_ping") \
    X("pike_list", "pike", "pike:list") \
    X("pike_rm", "pike", "pike:rm") \
    X("refreshWatchers", "presence", "presence:refresh_watchers") \
    X("rtpengine_enable", "rtpengine", "rtpengine:enable") \
    X("rtpengine_show", "rtpengine", "rtpengine:show") \
    X("rtpengine_reload", "rtpengine", "rtpengine:reload") \
    X("rtpproxy_enable", "rtpproxy", "rtpproxy:enable") \
    X("rtpproxy_show", "rtpproxy", "rtpproxy:show") \
    X("rtpproxy_reload", "rtpproxy", "rtpproxy:reload") \
    /* end */
