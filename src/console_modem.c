/*
 * The console's modem page (Thiết bị, issue 24): what `tipline status` shows (the same
 * cli_status_gather), times local; "check the balance now", which writes a USSD request for
 * the daemon (act_ussd_request, as `tipline ussd` does) and returns at once: the page then
 * reloads itself every two seconds until the daemon has answered, so the server never waits
 * for the network; the outbox's queue by state; the last alerts; the sync to the district
 * when it is configured (the same snapshot's state as `tipline status`'s sync lines).
 *
 * Routes (console.c): GET /modem (?ussd=ID: that request's answer), POST /modem (do=balance).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "cli.h"
#include "config.h"
#include "console_int.h"
#include "log.h"
#include "report.h"
#include "store.h"
#include "ts.h"

#define E(s) report_html_esc(f, (s))

#define ALERTS_SHOWN 10

/* The outbox statuses in the order of their life, with their words. */
static const char *const outbox_states[][2] = {
    {"queued", "Chờ gửi"}, {"sending", "Đang gửi"}, {"sent", "Đã gửi"},
    {"failed", "Gửi lỗi"}, {"cancelled", "Đã huỷ"},
};

static void kv_row(FILE *f, const char *id, const char *label, const char *value)
{
	fprintf(f, "<dt>%s</dt><dd id=\"%s\"><bdi>", label, id);
	E(value);
	fputs("</bdi></dd>", f);
}

/* A row that says something failed: the same as kv_row, marked as an error. */
static void kv_error_row(FILE *f, const char *id, const char *label, const char *prefix,
                         const char *value)
{
	fprintf(f, "<dt>%s</dt><dd id=\"%s\" class=\"error\">%s<bdi>", label, id, prefix);
	E(value);
	fputs("</bdi></dd>", f);
}

/* The status rows KEY's value, or DEF. */
static const char *val(const struct kv *kv, const char *key, const char *def)
{
	const char *v = cli_status_get(kv, key);

	return v != NULL && v[0] != '\0' ? v : def;
}

/* The SIM's state (src/simcard.c's words) as officers read it; an unknown one as it is. */
static const char *sim_words(const char *st)
{
	static const char *const words[][2] = {
	    {"ready", "sẵn sàng"},
	    {"pin-missing", "đòi mã PIN, chưa đặt modem.pin"},
	    {"pin-refused", "mã PIN bị từ chối"},
	    {"pin-unknown", "nhập mã PIN bị gián đoạn"},
	    {"pin-last-try", "đòi mã PIN; đã sai hai lần: không nhập nữa (xem tipline status)"},
	    {"pin-not-entered", "đòi mã PIN, chưa nhập"},
	    {"puk", "bị khoá: cần mã PUK (mở bằng điện thoại)"},
	    {"other", "đòi một mã khác mã PIN"},
	    {"unknown", "chưa rõ"},
	};

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(words[i][0], st) == 0)
			return words[i][1];
	return st;
}

/* When the status row KEY was written (UTC), or NULL. */
static const char *at_of(const struct kv *kv, const char *key)
{
	for (int i = 0; i < kv->n; i++)
		if (strcmp(kv->e[i].key, key) == 0)
			return kv->e[i].at[0] ? kv->e[i].at : NULL;
	return NULL;
}

/*
 * The answer to USSD request ID, or that it is still waited for (*WAITING 1). SEVERAL: several
 * modems, so the answer says whose SIM gave it (ussd_log.modem). -1: store.
 */
static int ussd_answer(FILE *f, int64_t id, int several, int *waiting)
{
	static struct store_ussd_result res; /* 3 KB of answer */
	int r;

	memset(&res, 0, sizeof res);
	*waiting = 0;
	if ((r = store_ussd_request_get(id, &res)) < 0)
		return -1;
	fputs("<section class=\"card\" id=\"ussd\" aria-live=\"polite\"><h2>Kiểm tra số dư</h2>",
	      f);
	if (r == 0) {
		fputs("<p class=\"error\">Không có yêu cầu này.</p></section>", f);
		return 0;
	}
	if (strcmp(res.request_status, "queued") == 0 ||
	    strcmp(res.request_status, "running") == 0) {
		*waiting = 1;
		fprintf(f, "<p id=\"ussd-state\">%s</p>",
		        res.request_status[0] == 'q' ? "Đang chờ chương trình gửi mã USSD…"
		                                     : "Đã gửi mã, đang chờ nhà mạng trả lời…");
	} else if (strcmp(res.request_status, "expired") == 0) {
		fputs("<p class=\"error\" id=\"ussd-state\">Chương trình không nhận yêu cầu kịp "
		      "thời (có thể đang bận hoặc không chạy).</p>",
		      f);
	} else if (strcmp(res.status, "answered") == 0 || strcmp(res.status, "more-input") == 0) {
		if (several && res.modem[0]) {
			fputs("<p id=\"ussd-state\" class=\"ok\">Nhà mạng trả lời (SIM ", f);
			E(res.modem);
			fputs("):</p><p class=\"text\" id=\"ussd-answer\">", f);
		} else
			fputs("<p id=\"ussd-state\" class=\"ok\">Nhà mạng trả lời:</p><p "
			      "class=\"text\" id=\"ussd-answer\">",
			      f);
		E(res.answer);
		fputs("</p>", f);
	} else {
		fputs("<p class=\"error\" id=\"ussd-state\">Không hỏi được số dư: ", f);
		E(res.error[0] ? res.error : res.status[0] ? res.status : "lỗi modem");
		fputs("</p>", f);
	}
	fputs("</section>", f);
	return 0;
}

/*
 * The sync to the district (issue 27), when sync.conninfo is set: when it last succeeded, what
 * waits, and the district's own error while it fails (store_sync_tried's last_error, cleared by
 * the next success), escaped: libpq's words can hold anything the network said.
 */
static void sync_card(FILE *f, const struct config *cfg, const struct status_snapshot *st)
{
	const struct store_sync_state *s = &st->sync;
	char a[TS_LEN], line[256];

	if (!st->sync_on)
		return;
	fputs("<section class=\"card\" id=\"sync\"><h2>Đồng bộ lên huyện</h2><dl class=\"kv\">", f);
	kv_row(f, "s-sync-node", "Tên xã ở huyện", cfg->sync.node);
	if (!st->sync_ok) {
		kv_error_row(f, "s-sync-state", "Tình trạng",
		             "Không đọc được trạng thái: ", st->sync_unreadable);
		fputs("</dl></section>", f);
		return;
	}
	kv_row(f, "s-sync-last", "Đồng bộ thành công lúc",
	       s->synced_at[0] ? con_local(s->synced_at, a) : "chưa lần nào");
	snprintf(line, sizeof line, "%lld", (long long)s->pending);
	kv_row(f, "s-sync-pending", "Thay đổi chờ gửi", line);
	snprintf(line, sizeof line, "mỗi %d giây", cfg->sync.every);
	kv_row(f, "s-sync-every", "Đồng bộ", line);
	kv_row(f, "s-sync-tried", "Lần thử gần nhất",
	       s->tried_at[0] ? con_local(s->tried_at, a) : "chưa lần nào");
	if (s->last_error[0])
		kv_error_row(f, "s-sync-state", "Tình trạng", "Lỗi: ", s->last_error);
	else
		fputs("<dt>Tình trạng</dt><dd id=\"s-sync-state\">bình thường</dd>", f);
	fputs("</dl></section>", f);
}

/*
 * Several modems: each SIM's own balance (its process's modem.NAME.* rows), which is what holds
 * a broadcast (broadcast.h); the plain row above is whichever SIM was read last.
 */
static void modem_balances(FILE *f, const struct config *cfg, const struct kv *kv)
{
	for (int i = 0; i < cfg->nmodems; i++) {
		const char *name = cfg->modems[i].name, *v, *low;
		char key[96], id[96], label[96], line[256], n[32], a[TS_LEN];

		snprintf(key, sizeof key, "modem.%s.balance", name);
		v = cli_status_get(kv, key);
		snprintf(key, sizeof key, "modem.%s.balance_low", name);
		low = cli_status_get(kv, key);
		snprintf(key, sizeof key, "modem.%s.balance_at", name);
		if (v != NULL) {
			report_format_count(strtoll(v, NULL, 10), n);
			snprintf(line, sizeof line, "%s đ (đọc lúc %s)%s", n,
			         con_local(cli_status_get(kv, key), a),
			         low != NULL && strcmp(low, "1") == 0 ? " — THẤP" : "");
		} else
			snprintf(line, sizeof line, "chưa biết");
		snprintf(id, sizeof id, "s-balance-%s", name);
		snprintf(label, sizeof label, "SIM %s", name);
		kv_row(f, id, label, line);
	}
}

int console_page_modem(const struct console_req *rq, struct console_resp *resp)
{
	static struct status_snapshot st;
	const struct kv *kv = &st.kv;
	const struct config *cfg = rq->cfg;
	const char *u = rq->arg(rq, "ussd"), *modem;
	struct con_table t = {0};
	char *buf = NULL, a[TS_LEN], b[TS_LEN], line[256];
	size_t len = 0;
	FILE *f = resp->f, *part;
	int waiting = 0, rc = -1;

	if (cli_status_gather(cfg, &st) < 0)
		return -1;
	/* The answer first, into a buffer: whether it is still awaited decides the refresh. */
	if ((part = open_memstream(&buf, &len)) == NULL)
		return -1;
	if (u != NULL && ussd_answer(part, strtoll(u, NULL, 10), cfg->nmodems > 1, &waiting) < 0) {
		fclose(part);
		goto out;
	}
	if (waiting && !st.alive)
		fputs("<p class=\"error\">Chương trình tiplined không chạy: yêu cầu sẽ được gửi "
		      "khi nó chạy lại.</p>",
		      part);
	fclose(part);
	con_page_begin(rq, resp, "Thiết bị", "/modem", waiting && st.alive ? 2 : 0);
	fputs("<link rel=\"stylesheet\" href=\"/static/console2.css\">", resp->f);
	if (rq->arg(rq, "err") != NULL)
		fputs("<p class=\"error\" role=\"alert\">Chương trình tiplined không chạy: không "
		      "hỏi được số dư.</p>",
		      f);
	fwrite(buf, 1, len, f);
	fputs("<div class=\"cards\"><section class=\"card\"><h2>Chương trình và modem</h2>"
	      "<dl class=\"kv\" id=\"status\">",
	      f);
	if (st.alive)
		snprintf(line, sizeof line, "đang chạy từ %s (pid %s)",
		         con_local(val(kv, "started_at", NULL), a), val(kv, "pid", "?"));
	else if (st.heartbeat_at[0] == '\0' && cli_status_get(kv, "stopped_at"))
		snprintf(line, sizeof line, "không chạy (dừng lúc %s)",
		         con_local(cli_status_get(kv, "stopped_at"), a));
	else if (st.heartbeat_at[0] == '\0')
		snprintf(line, sizeof line, "không chạy (chưa từng chạy trên cơ sở dữ liệu này)");
	else
		snprintf(line, sizeof line, "không chạy (lần cuối lúc %s)",
		         con_local(st.heartbeat_at, a));
	kv_row(f, "s-daemon", "Chương trình", line);
	modem = cli_status_get(kv, "modem");
	if (modem != NULL && strcmp(modem, "connected") == 0)
		snprintf(line, sizeof line, "đã kết nối từ %s",
		         con_local(cli_status_get(kv, "modem_connected_at"), a));
	else
		snprintf(line, sizeof line, "%s", modem ? modem : "chưa rõ");
	kv_row(f, "s-modem", "Modem", line);
	snprintf(line, sizeof line, "%s %s", val(kv, "modem_manufacturer", "-"),
	         val(kv, "modem_model", ""));
	kv_row(f, "s-device", "Thiết bị", line);
	if (cli_status_get(kv, "sim") != NULL)
		snprintf(line, sizeof line, "%s (từ %s)", sim_words(val(kv, "sim", "?")),
		         con_local(at_of(kv, "sim"), a));
	else
		snprintf(line, sizeof line, "chưa rõ");
	kv_row(f, "s-sim", "SIM", line);
	snprintf(line, sizeof line, "%s%s%s%s, %s", val(kv, "modem_operator", "-"),
	         cli_status_get(kv, "modem_operator_code") ? " (" : "",
	         val(kv, "modem_operator_code", ""),
	         cli_status_get(kv, "modem_operator_code") ? ")" : "",
	         val(kv, "modem_registration", "chưa rõ đăng ký"));
	kv_row(f, "s-network", "Mạng", line);
	if (cli_status_get(kv, "modem_signal_percent"))
		snprintf(line, sizeof line, "%s %% (%s dBm)", val(kv, "modem_signal_percent", "?"),
		         val(kv, "modem_signal_dbm", "?"));
	else
		snprintf(line, sizeof line, "chưa rõ");
	kv_row(f, "s-signal", "Sóng", line);
	snprintf(line, sizeof line, "%s / %s", val(kv, "modem_sim_used", "?"),
	         val(kv, "modem_sim_total", "?"));
	kv_row(f, "s-slots", "Ô nhớ SIM đã dùng", line);
	snprintf(line, sizeof line, "%s (mỗi %d giây)",
	         con_local(cli_status_get(kv, "modem_health_at"), a), cfg->status.every);
	kv_row(f, "s-health", "Đọc tình trạng lúc", line);
	kv_row(f, "s-poll", "Lần đọc modem gần nhất",
	       con_local(cli_status_get(kv, "last_poll"), a));
	snprintf(line, sizeof line, "%s, %lld byte (+ %lld WAL), lược đồ %d", cfg->database.path,
	         st.db_bytes, st.wal_bytes, st.schema);
	kv_row(f, "s-db", "Cơ sở dữ liệu", line);
	fputs("</dl></section><section class=\"card\"><h2>Số dư</h2><dl class=\"kv\">", f);
	if (cli_status_get(kv, "balance") != NULL) {
		char n[32];

		report_format_count(strtoll(cli_status_get(kv, "balance"), NULL, 10), n);
		snprintf(line, sizeof line, "%s đ (đọc lúc %s)%s", n,
		         con_local(cli_status_get(kv, "balance_at"), b),
		         strcmp(val(kv, "balance_low", "0"), "1") == 0 ? " — THẤP" : "");
	} else
		snprintf(line, sizeof line, "chưa biết%s",
		         cfg->ussd.balance_code[0] ? "" : " (chưa đặt ussd.balance_code)");
	kv_row(f, "s-balance", "Số dư", line);
	if (cfg->nmodems > 1)
		modem_balances(f, cfg, kv);
	fputs("</dl>", f);
	if (cfg->ussd.balance_code[0]) {
		fputs("<form method=\"post\" action=\"/modem\">", f);
		con_csrf_field(rq, f);
		fputs("<button type=\"submit\" name=\"do\" value=\"balance\" id=\"balance-now\">"
		      "Kiểm tra số dư ngay</button></form>",
		      f);
	} else
		fputs("<p class=\"sub\">Đặt ussd.balance_code trong tệp cấu hình để kiểm tra số "
		      "dư.</p>",
		      f);
	fputs("</section>", f);
	sync_card(f, cfg, &st);
	fputs("</div><h2>Hàng đợi tin gửi</h2><div class=\"scroll\" tabindex=\"0\">"
	      "<table id=\"outbox\"><thead><tr><th scope=\"col\">Trạng thái</th><th scope=\"col\">"
	      "Số tin</th></tr></thead><tbody>",
	      f);
	for (size_t i = 0; i < sizeof outbox_states / sizeof outbox_states[0]; i++) {
		long n = 0;

		for (int k = 0; k < st.outbox.n; k++)
			if (strcmp(st.outbox.status[k], outbox_states[i][0]) == 0)
				n = st.outbox.count[k];
		fprintf(f, "<tr data-state=\"%s\"><td>%s</td><td class=\"num\">%ld</td></tr>",
		        outbox_states[i][0], outbox_states[i][1], n);
	}
	fputs("</tbody></table></div>", f);
	if (st.oldest[0]) {
		fputs("<p>Tin chờ lâu nhất từ ", f);
		E(con_local(st.oldest, a));
		fputs(".</p>", f);
	}
	fprintf(f, "<h2>Cảnh báo gần đây</h2><p>Cảnh báo chưa gửi: %lld.</p>", st.alerts_open);
	t.f = f;
	if (store_list_alerts_recent(NULL, ALERTS_SHOWN, con_table_row, &t) < 0)
		goto out;
	con_table_end(&t, "Chưa có cảnh báo nào.");
	con_page_end(resp);
	rc = 0;
out:
	free(buf);
	return rc;
}

/* POST /modem do=balance: the request written, answered by a 303 to the page that waits. */
int console_post_modem(const struct console_req *rq, struct console_resp *resp)
{
	char what[16], last[TS_LEN];
	struct act_who w;
	int64_t id = 0;
	int alive;

	if (console_form(rq, "do", what, sizeof what) < 1 || strcmp(what, "balance") != 0 ||
	    rq->cfg->ussd.balance_code[0] == '\0') {
		console_page_message(rq, resp, 400, "Yêu cầu sai", "Không rõ việc cần làm.");
		return 0;
	}
	if ((alive = cli_daemon_alive(last)) < 0)
		return -1;
	resp->status = 303;
	if (alive == 0) {
		snprintf(resp->location, sizeof resp->location, "/modem?err=daemon");
		return 0;
	}
	act_who_officer(&w, rq->who->phone);
	if (store_begin() < 0 ||
	    act_ussd_request(&w, rq->cfg->ussd.balance_code, rq->cfg->ussd.timeout, NULL, &id) !=
	        ACT_OK ||
	    store_commit() < 0) {
		store_rollback();
		return -1;
	}
	log_info("console: %s asked for the balance (request %lld)", rq->who->phone, (long long)id);
	snprintf(resp->location, sizeof resp->location, "/modem?ussd=%lld", (long long)id);
	return 0;
}
