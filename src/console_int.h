/*
 * The console's private header: what console.c (the server: HTTP, sessions, CSRF, routing),
 * console_pages.c (the pages) and console_tls.c (the certificate) share.
 */
#ifndef TIPLINE_CONSOLE_INT_H
#define TIPLINE_CONSOLE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store.h"
#include "ts.h"

struct config;

#define CONSOLE_MAX_BODY 16384 /* bytes of a form; more is 413 */
/* bytes of a form that uploads a file (console_upload_route): a spreadsheet of contacts */
#define CONSOLE_MAX_UPLOAD (4 << 20)
#define CONSOLE_PAGE_SIZE  50 /* tips per page of the list */

/* One request as a page sees it. */
struct console_req {
	const struct config *cfg;
	const char *method, *path; /* path without the query */
	const char *body;          /* a POST's form (NUL-terminated), else "" */
	size_t len;
	/* A multipart form's file field "file" or text field "csv" (console_upload_route
	 * only; its other fields are in BODY as if URL-encoded), else NULL. */
	const char *upload;
	size_t upload_len;
	const struct store_console_session *who; /* NULL when not logged in */
	const char *(*arg)(const struct console_req *rq, const char *name); /* query value */
	void *conn; /* the MHD connection, for arg */
};

/* What a page answers. The body is written to F (an open_memstream the server owns). */
struct console_resp {
	unsigned status;
	FILE *f;
	const char *type;      /* Content-Type; NULL: text/html; charset=utf-8 */
	char location[512];    /* a 303 redirect's target, "" when none */
	char cookie[256];      /* a Set-Cookie value, "" when none */
	char disposition[128]; /* Content-Disposition (a CSV download), "" when none */
	int slow;              /* a failed login: answered after a pause */
};

/*
 * A form field NAME of the request's body into OUT (SZ bytes): 1 found, 0 absent, -1
 * malformed or too long.
 */
int console_form(const struct console_req *rq, const char *name, char *out, size_t sz);

/* 1 for a path whose POST may be a multipart upload of up to CONSOLE_MAX_UPLOAD bytes. */
int console_upload_route(const char *path);

/* --- console_html.c: the frame and the pieces every page shares --- */
/* The tip statuses in the order the pages show them: the CLI's names, Vietnamese labels. */
struct con_status {
	const char *name, *label;
};
extern const struct con_status con_statuses[];
extern const size_t con_nstatuses;
/* Status NAME's label (NAME itself when unknown; "" for NULL). Static storage. */
const char *con_status_label(const char *name);
/* Category NAME's label (defaults in Vietnamese, else ussd.category_labels, else NAME). */
const char *con_category_label(const struct config *cfg, const char *name);
/* At most MAX characters of S (UTF-8) escaped into F, "…" when cut. */
void con_excerpt(FILE *f, const char *s, int max);
/* UTC text as local "YYYY-MM-DD HH:MM" in BUF (returned); UTC itself when it cannot. */
const char *con_local(const char *utc, char buf[TS_LEN]);
/*
 * The page's head, header and navigation (CURRENT: the nav entry's href to mark, or NULL),
 * and the <h1> TITLE; REFRESH > 0 asks console.js to reload the page's data every REFRESH s.
 * con_page_end closes it.
 */
void con_page_begin(const struct console_req *rq, struct console_resp *resp, const char *title,
                    const char *current, int refresh);
void con_page_end(struct console_resp *resp);
/* Who acts, as the audit and tip_events record it: "Name (+84...)", or the number. */
void con_by(const struct console_req *rq, char *by, size_t sz);
/*
 * A console change through an action, in one transaction with its audit row: RUN(W, ARG), W the
 * officer RQ is (con_by), then, when it came to ACT_OK, the audit row ACTION on SUBJECT with
 * DETAIL; committed and logged, or rolled back. The action's status (ACT_ERROR: the store).
 * For the people and groups pages.
 */
struct act_who;
enum act_status con_change(const struct console_req *rq,
                           enum act_status (*run)(struct act_who *w, void *arg), void *arg,
                           const char *action, const char *subject, const char *detail);
/* The hidden CSRF field of the logged-in officer's session. */
void con_csrf_field(const struct console_req *rq, FILE *f);
/* A table of store rows: con_table_row is a store_each callback (CTX a struct con_table). */
struct con_table {
	FILE *f;
	int rows;
	int utc; /* the *_at columns are UTC text: shown local */
};
int con_table_row(const struct store_row *r, void *ctx);
/* Closes the table, or writes EMPTY as a sentence when it had no rows. */
void con_table_end(struct con_table *t, const char *empty);
/*
 * The start of a list page's filter <select> (tips, people, audit): "<p><label for=ID>LABEL
 * </label><select id=ID name=NAME>" and its first option, "Tất cả" (value "": no filter),
 * selected when SELECTED (the query's value, or NULL) is "". The caller adds the options and
 * "</select></p>".
 */
void con_filter_select(FILE *f, const char *id, const char *label, const char *name,
                       const char *selected);
/*
 * A form's input row (people, groups and teams; the tips, people and audit filters):
 * "<p><label>LABEL</label><input ...>" of TYPE with VALUE, EXTRA (attributes with their leading
 * space, or NULL) and, when ERR, marked invalid with ERR beside it (aria-describedby ID-err).
 * Strings: the caller's.
 */
void con_input(FILE *f, const char *id, const char *label, const char *name, const char *type,
               const char *value, const char *err, const char *extra);
/*
 * A radio button of group NAME (a constant, as VALUE: not escaped) with its LABEL, checked when
 * VALUE equals CHECKED: the broadcast's when, the report's period.
 */
void con_radio(FILE *f, const char *name, const char *value, const char *label,
               const char *checked);
/* An <option> VALUE (LABEL), selected when it equals SELECTED. */
void con_option(FILE *f, const char *value, const char *label, const char *selected);
/* A date 'YYYY-MM-DD' as the UTC bound of its day (start, or its end when END) into OUT. */
int con_date_bound(const char *d, int end, char out[TS_LEN]);
/* "&name=value" for each non-NULL VALS[i], URL-encoded and HTML-escaped into F. */
void con_filter_query(FILE *f, const char *const names[], const char *const vals[], int n);
/*
 * The pages a list of TOTAL rows fills (CONSOLE_PAGE_SIZE rows a page, one when it is empty),
 * and *PAGE (the query's page=) brought within them. For the tips and the people lists.
 */
long con_pages(int64_t total, long *page);
/*
 * The previous/next links of a list at PATH (a constant: not escaped) on PAGE (from 1), with
 * its filters; MORE when a next page exists. Nothing when there is one page.
 */
void con_pager(FILE *f, const char *path, long page, int more, const char *const names[],
               const char *const vals[], int n);

/* --- console_pages.c: each page writes RESP; -1 only on a store error (the server answers
 * 503 and rolls back what it began) --- */
int console_page_login(const struct console_req *rq, struct console_resp *resp, const char *error);
int console_page_overview(const struct console_req *rq, struct console_resp *resp);
int console_page_tips(const struct console_req *rq, struct console_resp *resp);
/*
 * GET /tips/live?after=ID&limit=N&(the list's filters): the tips filed after tip ID that the
 * list shows, as JSON {"after": the last tip's id, "n": rows, "refs": "T12, T13", "total":
 * the list's count (only when n > 0), "rows": the rows' HTML}, for console.js.
 */
int console_tips_live(const struct console_req *rq, struct console_resp *resp);
/* A tip's page; PREVIEW (NULL: none) a reply to preview, its parts and cost. */
int console_page_tip(const struct console_req *rq, struct console_resp *resp, const char *ref,
                     const char *preview);
int console_page_patrols(const struct console_req *rq, struct console_resp *resp);
/* The admins' page of accounts (403 for others), and its POST (password, disable, enable,
 * admin, unadmin: act_account). */
int console_page_accounts(const struct console_req *rq, struct console_resp *resp);
int console_post_accounts(const struct console_req *rq, struct console_resp *resp);
/* --- console_audit.c: GET /audit, the admins' audit log and its filters (403 for others);
 * CSV: /audit.csv, the same filtered log as a download. --- */
int console_page_audit(const struct console_req *rq, struct console_resp *resp, int csv);
/* `tipline export KIND` (tips, patrols, contacts) as a CSV download. */
int console_export(const struct console_req *rq, struct console_resp *resp, const char *kind);
/* POST /tips/REF: triage (mark), category or village (set). */
int console_post_tip(const struct console_req *rq, struct console_resp *resp, const char *ref);
/* --- console_people.c: Danh bạ --- */
/* GET /people: the list, its search, filters and pages. */
int console_page_people(const struct console_req *rq, struct console_resp *resp);
/* GET and POST /people/new: the form, and the contact added. */
int console_page_person_new(const struct console_req *rq, struct console_resp *resp);
/* GET and POST /people/DIGITS (the number without its +): change, PIN, remove. */
int console_page_person(const struct console_req *rq, struct console_resp *resp,
                        const char *digits);
/* GET and POST /people/import: the upload, the preview (a dry run), the import. */
int console_page_import(const struct console_req *rq, struct console_resp *resp);
/* --- console_groups.c: Nhóm, tổ --- */
int console_page_groups(const struct console_req *rq, struct console_resp *resp);
int console_post_groups(const struct console_req *rq, struct console_resp *resp);
/* A plain page with a title and a sentence (errors: 403, 404, 503). */
void console_page_message(const struct console_req *rq, struct console_resp *resp, unsigned status,
                          const char *title, const char *text);
/* --- console_broadcast.c: Thông báo (issue 24) --- */
int console_page_broadcasts(const struct console_req *rq, struct console_resp *resp);
int console_page_broadcast_new(const struct console_req *rq, struct console_resp *resp);
/* POST /broadcasts/new (do=preview, edit, send) and /broadcasts/cost (JSON for the script). */
int console_post_broadcast_new(const struct console_req *rq, struct console_resp *resp);
int console_post_broadcast_cost(const struct console_req *rq, struct console_resp *resp);
/* POST /broadcasts/ID: do=cancel or release. */
int console_post_broadcast(const struct console_req *rq, struct console_resp *resp, int64_t id);
extern const char console_broadcast_js[];
/* --- console_reports.c: Báo cáo --- */
int console_page_reports(const struct console_req *rq, struct console_resp *resp);
/* /reports.EXT (html, csv, json): `tipline report --format EXT` of the page's period. */
int console_report_download(const struct console_req *rq, struct console_resp *resp,
                            const char *ext);
extern const char console2_css[];
/* --- console_modem.c: Thiết bị --- */
int console_page_modem(const struct console_req *rq, struct console_resp *resp);
/* POST /modem do=balance: a USSD request for the daemon; the page polls for its answer. */
int console_post_modem(const struct console_req *rq, struct console_resp *resp);

/* The stylesheet and the script, served as files under /static/. */
extern const char console_css[];
extern const char console_js[];

/* --- console_tls.c --- */
/*
 * The certificate and key as PEM (malloc'd: the caller frees both): console.tls_cert/key when
 * set, else DIR/console-cert.pem and console-key.pem, made self-signed for the host name when
 * missing (the key file mode 0600). 0, or -1 after a line on stderr.
 */
int console_tls_load(const struct config *cfg, char **cert, char **key);
/* The SHA-256 of S as 64 hex digits into OUT[65]. 0 or -1. */
int console_sha256_hex(const char *s, char out[65]);

#endif
