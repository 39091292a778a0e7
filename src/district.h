/*
 * The district's PostgreSQL (issue 27): the one file that speaks libpq. A commune pushes its
 * change log here (district_push, sync.c), an officer of the district creates the schema and
 * the communes' roles (district_init, district_add_node) and reads the figures of every
 * commune (district_report_fill, the PostgreSQL twin of store_report.c's queries).
 *
 * The schema `tipline` holds one table per sync_table (sync.h) with a `node` column first,
 * keyed by (node, key); row-level security lets a commune's role (tipline_node_NAME, a member
 * of tipline_node) see and write only the rows of its own node; the role tipline_report reads
 * everything. A province subscribes to the district's publication `tipline` (docs/district.md).
 *
 * Errors: each function that fails writes one line for a person into ERR (ERRSZ bytes).
 */
#ifndef TIPLINE_DISTRICT_H
#define TIPLINE_DISTRICT_H

#include <stddef.h>

struct district;
struct sync_batch;
struct report;
struct report_period;

/* Connect with CONNINFO (a libpq string; connect_timeout 5 s unless it says otherwise).
 * A connection to district_close, or NULL with ERR set. */
struct district *district_connect(const char *conninfo, char *err, size_t errsz);
void district_close(struct district *d);

/* Push B as NODE's changes in one transaction (upserts and deletes, then node_sync's seq),
 * pipelined: one round trip per batch. 0 once the district committed, or -1 (nothing of it
 * committed as far as we know: the batch is sent again). */
int district_push(struct district *d, const char *node, const struct sync_batch *b, char *err,
                  size_t errsz);

/* Create or upgrade the schema, the roles tipline_node and tipline_report, and the
 * publication. 0 or -1. */
int district_init(struct district *d, char *err, size_t errsz);
/* Create (or give a new password to) the role of node NAME; the conninfo the commune uses
 * (ADMIN_CONNINFO's host and database, the node's user and password) into OUT. 0 or -1. */
int district_add_node(struct district *d, const char *admin_conninfo, const char *name, char *out,
                      size_t outsz, char *err, size_t errsz);

/* The nodes that have rows or are registered, by name, into NAMES (each and the array malloc'd:
 * the caller frees both). Their count, or -1. */
int district_nodes(struct district *d, char ***names, char *err, size_t errsz);
/* The report of period P: one per node in NODES, named by NAMES (N of them, sorted as strcmp
 * sorts: district_nodes' order; NODE not NULL: only its rows are read), each as
 * store_report_fill makes a commune's, and the district's TOTAL, their sum. 0 or -1. */
int district_report_fill(struct district *d, const char *node, struct report *total,
                         struct report **nodes, const char *const *names, size_t n,
                         const struct report_period *p, char *err, size_t errsz);

#endif
