/* my: the MySQL/MariaDB driver (placeholder until written). */
#include "db/conn.h"
const struct db_conn_ops db_my_ops;
