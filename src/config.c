#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <libconfig.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/*
 * Every setting the file may hold. A setting not in this table is an error, which is what
 * catches typos such as "pol_interval" that would otherwise be silently ignored.
 */
enum stype { S_STRING, S_INT, S_NUMBER, S_BOOL };

struct setting {
	const char *group; /* NULL: top level */
	const char *name;
	enum stype type;
	int required;
	size_t off; /* into struct config */
	double min, max;
};

#define OFF(f) offsetof(struct config, f)

static const struct setting settings[] = {
    {"modem", "name", S_STRING, 0, OFF(modem.name), 0, 0},
    {"modem", "network", S_STRING, 0, OFF(modem.network), 0, 0},
    {"modem", "device", S_STRING, 1, OFF(modem.device), 0, 0},
    {"modem", "connection", S_STRING, 1, OFF(modem.connection), 0, 0},
    {"modem", "model", S_STRING, 0, OFF(modem.model), 0, 0},
    {"modem", "sent_dir", S_STRING, 0, OFF(modem.sent_dir), 0, 0},
    {"modem", "gammu_debug", S_STRING, 0, OFF(modem.gammu_debug), 0, 0},
    {"modem", "poll_interval", S_NUMBER, 0, OFF(modem.poll_interval), 0.01, 3600},
    {"modem", "read_batch", S_INT, 0, OFF(modem.read_batch), 1, 1000},
    {"modem", "backoff_max", S_INT, 0, OFF(modem.backoff_max), 1, 86400},
    {"modem", "multipart_timeout", S_INT, 0, OFF(modem.multipart_timeout), 1, 30 * 86400},
    {"modem", "send_timeout", S_INT, 0, OFF(modem.send_timeout), 1, 600},
    {"modem", "watchdog", S_INT, 0, OFF(modem.watchdog), 0, 3600},
    {"modem", "pin", S_STRING, 0, OFF(modem.pin), 0, 0},
    {"modem", "reset_command", S_STRING, 0, OFF(modem.reset_command), 0, 0},
    {"modem", "reset_after", S_INT, 0, OFF(modem.reset_after), 1, 1000},
    {"modem", "reset_timeout", S_INT, 0, OFF(modem.reset_timeout), 1, 3600},
    {"database", "path", S_STRING, 1, OFF(database.path), 0, 0},
    {"database", "busy_timeout", S_INT, 0, OFF(database.busy_timeout), 0, 600000},
    {"database", "group", S_STRING, 0, OFF(database.group), 0, 0},
    {"outbox", "max_attempts", S_INT, 0, OFF(outbox.max_attempts), 1, 100},
    {"outbox", "retry_base", S_INT, 0, OFF(outbox.retry_base), 1, 86400},
    {"outbox", "rate_per_minute", S_INT, 0, OFF(outbox.rate_per_minute), 0, 100000},
    {"outbox", "batch", S_INT, 0, OFF(outbox.batch), 1, 1000},
    {"outbox", "on_net_wait", S_INT, 0, OFF(outbox.on_net_wait), 0, 86400},
    {"replies", "enabled", S_BOOL, 0, OFF(replies.enabled), 0, 0},
    {"replies", "max_per_hour", S_INT, 0, OFF(replies.max_per_hour), 0, 100000},
    {"broadcast", "fold_diacritics", S_BOOL, 0, OFF(broadcast.fold_diacritics), 0, 0},
    {"broadcast", "delivery_reports", S_BOOL, 0, OFF(broadcast.delivery_reports), 0, 0},
    {"broadcast", "pin_attempts", S_INT, 0, OFF(broadcast.pin_attempts), 1, 100},
    {"broadcast", "pin_lockout", S_INT, 0, OFF(broadcast.pin_lockout), 0, 30 * 86400},
    {"broadcast", "recur_interval", S_INT, 0, OFF(broadcast.recur_interval), 1, 86400},
    {"phone", "country_code", S_STRING, 0, OFF(country_code), 0, 0},
    {"patrol", "max_hours", S_INT, 0, OFF(patrol.max_hours), 0, 720},
    {"patrol", "check_every", S_INT, 0, OFF(patrol.check_every), 1, 86400},
    /* Issue 26: hours (at most a year); tips.urgent_categories is read by load_tips. */
    {"tips", "escalate_after", S_INT, 0, OFF(tips.escalate_after), 0, 8760},
    {"ussd", "balance_code", S_STRING, 0, OFF(ussd.balance_code), 0, 0},
    {"ussd", "balance_pattern", S_STRING, 0, OFF(ussd.balance_pattern), 0, 0},
    {"ussd", "check_every", S_INT, 0, OFF(ussd.check_every), 10, 30 * 86400},
    {"ussd", "low_balance", S_INT, 0, OFF(ussd.low_balance), 0, 1e9},
    {"ussd", "price_per_part", S_INT, 0, OFF(ussd.price_per_part), 0, 1e6},
    {"ussd", "timeout", S_INT, 0, OFF(ussd.timeout), 1, 600},
    {"status", "every", S_INT, 0, OFF(status.every), 1, 86400},
    /* Issue 13: days after which ordinary numbers are erased; 0 = kept (at most 100 years). */
    {"privacy", "forget_after", S_INT, 0, OFF(privacy.forget_after), 0, 36500},
    /* --- the USSD menu and its HTTP server (issue 12); ussd.texts and ussd.category_labels
     * are read by load_ussd_menu --- */
    {"ussd", "callback_path", S_STRING, 0, OFF(ussd_menu.callback_path), 0, 0},
    {"ussd", "secret", S_STRING, 0, OFF(ussd_menu.secret), 0, 0},
    {"ussd", "max_sessions", S_INT, 0, OFF(ussd_menu.max_sessions), 1, 100000},
    {"ussd", "session_timeout", S_INT, 0, OFF(ussd_menu.session_timeout), 1, 3600},
    {"ussd", "max_per_hour", S_INT, 0, OFF(ussd_menu.max_per_hour), 1, 100000},
    {"ussd", "sms_ack", S_BOOL, 0, OFF(ussd_menu.sms_ack), 0, 0},
    {"http", "listen", S_STRING, 0, OFF(http.listen), 0, 0},
    /* Issue 21: what a slow or greedy client may hold (src/http.c), and how long `tipline
     * serve` waits for the database before it answers the apology. */
    {"http", "max_connections", S_INT, 0, OFF(http.max_connections), 1, 100000},
    {"http", "max_per_client", S_INT, 0, OFF(http.max_per_client), 1, 100000},
    {"http", "request_deadline", S_NUMBER, 0, OFF(http.request_deadline), 0.1, 3600},
    {"ussd", "db_wait", S_INT, 0, OFF(ussd_menu.db_wait), 0, 60000},
    /* --- end of the USSD menu's settings --- */
    {"console", "listen", S_STRING, 0, OFF(console.listen), 0, 0},
    {"console", "tls", S_BOOL, 0, OFF(console.tls), 0, 0},
    {"console", "tls_cert", S_STRING, 0, OFF(console.tls_cert), 0, 0},
    {"console", "tls_key", S_STRING, 0, OFF(console.tls_key), 0, 0},
    {"console", "session_idle", S_INT, 0, OFF(console.session_idle), 60, 30 * 86400},
    /* Issue 27: the district's PostgreSQL (sync.c). */
    {"sync", "conninfo", S_STRING, 0, OFF(sync.conninfo), 0, 0},
    {"sync", "node", S_STRING, 0, OFF(sync.node), 0, 0},
    {"sync", "every", S_INT, 0, OFF(sync.every), 1, 7 * 86400},
    {"sync", "tip_text", S_BOOL, 0, OFF(sync.tip_text), 0, 0},
    {"sync", "batch", S_INT, 0, OFF(sync.batch), 1, 100000},
};

/* Groups whose members are checked by code of their own rather than by the table. */
static const char *const special_groups[] = {"log",     "keywords", "categories",
                                             "replies", "modems",   "networks"};

/* tips.urgent_categories when the file does not set it. */
static const char *const urgent_defaults[] = {"weapons", "drugs", "fighting", "domestic_violence"};

int config_tip_urgent(const struct config *c, const char *category)
{
	if (category == NULL)
		return 0;
	for (int i = 0; i < c->tips.nurgent; i++)
		if (strcmp(c->tips.urgent[i], category) == 0)
			return 1;
	return 0;
}

static const struct {
	const char *name;
	const char *text;
} tpl_defaults[TPL_COUNT] = {
    [TPL_TIP_ACK] = {"tip_ack", "Cam on ban. Tin bao da duoc ghi nhan, ma so {ref}. Bo sung "
                                "gui: BS {ref} <noi dung>. Khan cap goi 113."},
    [TPL_TIP_ACK_UNSTRUCTURED] = {"tip_ack_unstructured",
                                  "Da nhan tin nhan cua ban, ma so {ref}. Cam on. De bao tin "
                                  "gui: TIN <noi dung>. Huong dan gui: HD"},
    [TPL_TIP_THANKS] = {"tip_thanks", "Cong an xa cam on ban da gui tin bao {ref}. Moi thong tin "
                                      "deu duoc xem xet. Khan cap goi 113."},
    [TPL_SUPPLEMENT_ACK] = {"supplement_ack",
                            "Da bo sung thong tin vao tin bao {ref}. Cam on ban."},
    [TPL_SUPPLEMENT_UNKNOWN] = {"supplement_unknown",
                                "Khong tim thay tin bao {ref} cua so nay. Kiem tra lai ma so, "
                                "hoac gui tin moi: TIN <noi dung>"},
    [TPL_PATROL_START_ACK] = {"patrol_start_ack",
                              "Da ghi nhan to {team} bat dau tuan tra luc "
                              "{time}, {members} nguoi. Ket thuc gui: TUAN KT {team}"},
    [TPL_PATROL_END_ACK] = {"patrol_end_ack",
                            "Da ghi nhan to {team} ket thuc tuan tra luc {time} ({minutes} phut). "
                            "Cam on."},
    [TPL_PATROL_NONE_OPEN] = {"patrol_none_open",
                              "To {team} khong co ca tuan tra nao dang mo. Bat dau gui: TUAN BD "
                              "{team} <so nguoi>"},
    [TPL_PATROL_NO_TEAM] = {"patrol_no_team", "Chua ro to cua ban. Gui: TUAN BD <ma to> <so "
                                              "nguoi>, vi du: TUAN BD TQ3 5"},
    [TPL_PATROL_OVERDUE] = {"patrol_overdue",
                            "Canh bao: to {team} bat dau tuan tra luc {time} ngay {date}, da qua "
                            "{hours} gio chua bao ket thuc. Ket thuc gui: TUAN KT {team}"},
    [TPL_NIGHT_MISSED] = {"night_missed", "Canh bao: to {team} chua bao tuan tra dem {date} "
                                          "(truoc {by}). Bat dau gui: TUAN BD {team} <so nguoi>"},
    [TPL_AWARENESS_ACK] = {"awareness_ack", "Da ghi nhan {sessions} buoi tuyen truyen phap luat, "
                                            "{participants} luot nguoi tham du. Cam on."},
    [TPL_MEDIATION_ACK] = {"mediation_ack", "Da ghi nhan vu hoa giai, ma so {ref}. Cam on."},
    [TPL_REGISTER_ACK] = {"register_ack", "Da dang ky so nay cho {name}. Ban se nhan thong bao "
                                          "cua Cong an xa. Ngung nhan gui: HUY"},
    [TPL_OPTOUT_ACK] =
        {"optout_ack", "Ban da ngung nhan thong bao. Dang ky lai gui: DK <ho ten> thon <ten thon>"},
    [TPL_HELP] = {"help", "Bao tin: TIN <noi dung>; an danh: TIN ANDANH <noi dung>; bo sung: BS "
                          "<ma> <noi dung>; dang ky: DK <ten> thon <thon>; ngung: HUY"},
    [TPL_NOT_ALLOWED] = {"not_allowed", "Lenh nay chi danh cho to truong va can bo. De bao tin "
                                        "gui: TIN <noi dung>"},
    [TPL_BROADCAST_ACK] = {"broadcast_ack",
                           "Da xep hang thong bao {ref} toi {count} nguoi nhan (nhom {group})."},
    [TPL_BROADCAST_REFUSED] = {"broadcast_refused", "Khong thuc hien duoc yeu cau."},
    [TPL_USAGE_TIP] = {"usage_tip",
                       "Sai cu phap. Gui: TIN <noi dung>, vi du: TIN co nguoi la o thon 3"},
    [TPL_USAGE_SUPPLEMENT] = {"usage_supplement",
                              "Sai cu phap. Gui: BS <ma tin> <noi dung>, vi du: BS T12 xe mau do"},
    [TPL_USAGE_PATROL] = {"usage_patrol", "Sai cu phap. Gui: TUAN BD <ma to> <so nguoi> hoac "
                                          "TUAN KT <ma to>, vi du: TUAN BD TQ3 5"},
    [TPL_USAGE_AWARENESS] = {"usage_awareness",
                             "Sai cu phap. Gui: TTPL <so nguoi> <noi dung>, vi du: TTPL 45 hop "
                             "dan thon 3, hoac TTPL 2 dot 120 nguoi <noi dung>"},
    [TPL_USAGE_MEDIATION] = {"usage_mediation",
                             "Sai cu phap. Gui: HG <noi dung>, vi du: HG tranh chap dat thon 2"},
    [TPL_USAGE_REGISTER] = {"usage_register",
                            "Sai cu phap. Gui: DK <ho ten> thon <ten thon>, vi du: DK Nguyen Van A "
                            "thon 3"},
    [TPL_USAGE_BROADCAST] = {"usage_broadcast", "Sai cu phap. Gui: TB <ma PIN> <nhom> <noi dung>"},
    [TPL_USAGE_REPORT] = {"usage_report", "Sai cu phap. Gui: BC <ma PIN> [TUAN|THANG]"},
    [TPL_BROADCAST_HELD] = {"broadcast_held",
                            "Thong bao {ref} toi {count} nguoi (nhom {group}) tam giu: chi phi uoc "
                            "tinh {cost}, so du {balance}. Nap tien roi cho phat: tipline "
                            "broadcast release {ref}"},
    [TPL_BALANCE_LOW] = {"balance_low", "Canh bao tipline: tai khoan SIM con {balance} (duoi "
                                        "{low}). Nap tien de tiep tuc gui tin."},
    [TPL_STATUS_RECEIVED] = {"status_received",
                             "Tin bao {ref}: da nhan, dang cho xu ly. Cam on ban."},
    [TPL_STATUS_CHECKING] = {"status_checking", "Tin bao {ref}: dang duoc xac minh. Cam on ban."},
    [TPL_STATUS_CLOSED] = {"status_closed", "Tin bao {ref}: da xu ly xong. Cam on ban. Khan cap "
                                            "goi 113."},
    [TPL_TIP_ANSWER] = {"tip_answer", "Cong an xa tra loi tin bao {ref}: {answer}"},
    [TPL_STATUS_ANSWER] = {"status_answer", "Tra loi cua cong an: {answer}"},
    [TPL_TIP_ALERT] = {"tip_alert", "Tin bao moi {ref} ({category}, thon {village}): {words}"},
    [TPL_TIP_ESCALATED] = {"tip_escalated", "Canh bao: tin bao {ref} ({category}, thon "
                                            "{village}) chua xu ly sau {hours} gio: {words}"},
};

const char *config_tpl_name(enum tpl t)
{
	return tpl_defaults[t].name;
}

const char *config_tpl_default(enum tpl t)
{
	return tpl_defaults[t].text;
}

/* --- the USSD menu's texts and category labels (issue 12) --- */

/*
 * Vietnamese without diacritics (GSM-7: 182 characters a screen). menu.c composes the screens
 * from these; `tipline serve` checks at start that each composed screen fits 182 characters.
 */
static const struct {
	const char *name;
	const char *text;
} ussd_text_defaults[UT_COUNT] = {
    [UT_MAIN] = {"main", "Cong an xa - bao tin\n1 Bao tin\n2 Tra cuu tin\n3 Dang ky nhan thong "
                         "bao\n4 Huy dang ky"},
    [UT_CATEGORY] = {"category", "Loai tin:"},
    [UT_OTHER] = {"other", "Khac"},
    [UT_BACK] = {"back", "Quay lai"},
    [UT_TIP_TEXT] = {"tip_text", "Nhap noi dung tin bao (0 quay lai):"},
    [UT_TIP_CONFIRM] = {"tip_confirm", "Gui tin bao?\n1 Gui\n2 Gui an danh\n3 Huy\n0 Quay lai"},
    [UT_TIP_DONE] = {"tip_done", "Da ghi nhan, ma so {ref}. Cam on ban. Khan cap goi 113."},
    [UT_TIP_CANCELLED] = {"tip_cancelled", "Da huy, tin chua duoc gui."},
    [UT_LOOKUP] = {"lookup", "Nhap ma so tin bao, vi du T12 (0 quay lai):"},
    [UT_LOOKUP_RECEIVED] = {"lookup_received", "Tin {ref}: da nhan, dang cho xu ly."},
    [UT_LOOKUP_CHECKING] = {"lookup_checking", "Tin {ref}: dang duoc xac minh."},
    [UT_LOOKUP_DONE] = {"lookup_done", "Tin {ref}: da xu ly xong. Cam on ban."},
    [UT_LOOKUP_NOT_FOUND] = {"lookup_not_found", "Khong tim thay tin {ref} cua so nay."},
    [UT_LOOKUP_ANSWER] = {"lookup_answer", "Tra loi: {answer}"},
    [UT_REGISTER_NAME] = {"register_name", "Nhap ho ten (0 quay lai):"},
    [UT_REGISTER_VILLAGE] = {"register_village", "Nhap ten thon (0 quay lai):"},
    [UT_REGISTER_DONE] = {"register_done", "Da dang ky {name}, thon {village}. Ban se nhan "
                                           "thong bao cua Cong an xa."},
    [UT_OPTOUT_CONFIRM] = {"optout_confirm",
                           "Ngung nhan thong bao cua Cong an xa?\n1 Dong y\n0 Quay lai"},
    [UT_OPTOUT_DONE] = {"optout_done", "Ban da ngung nhan thong bao. Dang ky lai: chon 3."},
    [UT_HINT_CHOICE] = {"hint_choice", "Chon mot so trong danh sach."},
    [UT_HINT_TEXT] = {"hint_text", "Chua nhap noi dung."},
    [UT_HINT_REF] = {"hint_ref", "Ma so gom chu T va so, vi du T12."},
    [UT_BUSY] = {"busy", "He thong dang ban, vui long goi lai sau it phut."},
    [UT_EXPIRED] = {"expired", "Phien da het han. Vui long quay so lai."},
    [UT_CAPPED] = {"capped", "So nay da dung menu nhieu lan, vui long thu lai sau 1 gio."},
    [UT_ERROR] = {"error", "Xin loi, co loi. Vui long thu lai sau."},
};

/* The labels of the default categories (parse.c); a category without one shows its name. */
static const char *const ussd_label_defaults[][2] = {
    {"drugs", "Ma tuy"},
    {"theft", "Trom cap"},
    {"fighting", "Danh nhau"},
    {"gambling", "Co bac"},
    {"traffic", "Giao thong"},
    {"stranger", "Nguoi la"},
    {"fraud", "Lua dao"},
    {"forest", "Pha rung"},
    {"weapons", "Vu khi"},
    {"dispute", "Tranh chap"},
    {"domestic_violence", "Bao luc gia dinh"},
    {"other", "Khac"},
};

const char *config_ussd_text_name(enum ussd_text t)
{
	return ussd_text_defaults[t].name;
}

const char *config_ussd_text_default(enum ussd_text t)
{
	return ussd_text_defaults[t].text;
}

const char *config_ussd_label(const struct ussd_menu_config *u, const char *name)
{
	for (int i = 0; i < u->nlabels; i++)
		if (strcmp(u->label_name[i], name) == 0)
			return u->label[i];
	return name;
}

static int ussd_menu_default_strings(struct config *c)
{
	struct ussd_menu_config *u = &c->ussd_menu;
	char **slots[] = {&u->callback_path, &u->secret, &c->http.listen};
	const char *vals[] = {"/ussd", "", "127.0.0.1:8080"};

	for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
		if (*slots[i] == NULL && (*slots[i] = strdup(vals[i])) == NULL)
			return -1;
	for (int t = 0; t < UT_COUNT; t++)
		if (u->texts[t] == NULL &&
		    (u->texts[t] = strdup(ussd_text_defaults[t].text)) == NULL)
			return -1;
	/* Defaults for the names the file did not label. */
	for (size_t i = 0; i < sizeof ussd_label_defaults / sizeof ussd_label_defaults[0]; i++) {
		if (config_ussd_label(u, ussd_label_defaults[i][0]) != ussd_label_defaults[i][0])
			continue;
		if (u->nlabels == USSD_MAX_LABELS)
			break;
		u->label_name[u->nlabels] = strdup(ussd_label_defaults[i][0]);
		u->label[u->nlabels] = strdup(ussd_label_defaults[i][1]);
		if (u->label_name[u->nlabels] == NULL || u->label[u->nlabels] == NULL)
			return -1;
		u->nlabels++;
	}
	return 0;
}

int config_listen_parse(const char *s, char *host, size_t hostsz, int *port)
{
	const char *colon, *h = s;
	size_t hl;
	char *end;
	long p;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		h = s + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL || memchr(s, ':', (size_t)(colon - s)) != NULL)
			return -1;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= hostsz || colon[1] < '0' || colon[1] > '9')
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 0 || p > 65535)
		return -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	{
		unsigned char buf[16];

		if (inet_pton(s[0] == '[' ? AF_INET6 : AF_INET, host, buf) != 1)
			return -1;
	}
	*port = (int)p;
	return 0;
}

/* --- end of the USSD menu's texts --- */

/*
 * modem.poll_interval when unset: 30 s for a real modem, which announces each message (+CMTI)
 * and is read at once; the poll is only the safety net for an announcement lost, and each
 * poll costs AT commands (a few per minute, not 30). The simulated phone announces nothing:
 * 2 s, its interval before instant receive.
 */
static void default_poll(struct modem_config *m)
{
	if (m->poll_interval == 0)
		m->poll_interval = m->model != NULL && strcmp(m->model, "dummy") == 0 ? 2.0 : 30.0;
}

static void defaults(struct config *c)
{
	c->log_level = LOG_LEVEL_INFO;
	c->modem.poll_interval = 0; /* unset: default_poll decides */
	/* 200: a commit (one fsync) per 200 parts instead of per 50 cut the 2,000-message
	 * drain from 0.56 s to 0.45 s (make bench); memory about 1.2 KB a part. A SIM holds
	 * 20 to 50 messages, so on a real modem a batch is the whole SIM either way. */
	c->modem.read_batch = 200;
	c->modem.backoff_max = 60;
	c->modem.multipart_timeout = 3600;
	c->modem.send_timeout = 30;
	c->modem.watchdog = 120;
	c->modem.reset_after = 5;
	c->modem.reset_timeout = 60;
	c->database.busy_timeout = 5000;
	c->database.group_gid = -1;
	c->outbox.max_attempts = 5;
	c->outbox.retry_base = 30;
	c->outbox.rate_per_minute = 0;
	c->outbox.batch = 10;
	/* A minute: a broadcast's on-net share waits that long for its own modem before any
	 * other may take it (docs/configuration.md, "Several modems"). */
	c->outbox.on_net_wait = 60;
	c->replies.enabled = 1;
	c->replies.max_per_hour = 5;
	c->broadcast.fold_diacritics = 1;
	c->broadcast.delivery_reports = 0;
	c->broadcast.pin_attempts = 3;
	c->broadcast.pin_lockout = 3600;
	c->broadcast.recur_interval = 10;
	c->patrol.max_hours = 6;
	c->patrol.check_every = 60;
	c->tips.escalate_after = 24;
	c->tips.nurgent = -1; /* not set: urgent_defaults (default_strings) */
	c->ussd.check_every = 21600;
	c->ussd.low_balance = 10000;
	c->ussd.price_per_part = 350;
	c->ussd.timeout = 30;
	c->status.every = 60;
	/* The USSD menu (issue 12). Networks close a USSD session after about 180 s. */
	c->ussd_menu.max_sessions = 200;
	c->ussd_menu.session_timeout = 180;
	c->ussd_menu.max_per_hour = 10;
	c->ussd_menu.sms_ack = 1;
	c->console.tls = 1;
	c->console.session_idle = 8 * 3600;
	c->sync.every = 300;
	c->sync.batch = 500; /* log entries per PostgreSQL transaction (sync.h) */
	/* Aggregators give up on a step after a few seconds: the database wait stays well under. */
	c->ussd_menu.db_wait = 1000;
	/* A step is answered in milliseconds: even max_sessions steps at once fit many times. */
	c->http.max_connections = 1024;
	c->http.max_per_client = 64;
	c->http.request_deadline = 10;
}

/* Strings not given in the file still need to be owned by the config, so free() is uniform. */
static int default_strings(struct config *c)
{
	char **slots[] = {&c->modem.model,    &c->modem.sent_dir,      &c->modem.gammu_debug,
	                  &c->country_code,   &c->ussd.balance_code,   &c->ussd.balance_pattern,
	                  &c->modem.pin,      &c->modem.reset_command, &c->database.group,
	                  &c->console.listen, &c->console.tls_cert,    &c->console.tls_key,
	                  &c->sync.conninfo,  &c->sync.node,           &c->modem.name,
	                  &c->modem.network};
	const char *vals[] = {"", "", "", "84", "",      "", "", "", "", "0.0.0.0:8443",
	                      "", "", "", "",   "modem", ""};

	_Static_assert(sizeof slots / sizeof slots[0] == sizeof vals / sizeof vals[0],
	               "a default for every string setting");
	for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
		if (*slots[i] == NULL && (*slots[i] = strdup(vals[i])) == NULL)
			return -1;
	}
	for (int t = 0; t < TPL_COUNT; t++) {
		if (c->replies.templates[t] == NULL &&
		    (c->replies.templates[t] = strdup(tpl_defaults[t].text)) == NULL)
			return -1;
	}
	if (c->tips.nurgent < 0) {
		c->tips.nurgent = 0;
		for (size_t i = 0; i < sizeof urgent_defaults / sizeof urgent_defaults[0]; i++)
			if ((c->tips.urgent[c->tips.nurgent++] = strdup(urgent_defaults[i])) ==
			    NULL)
				return -1;
	}
	return ussd_menu_default_strings(c);
}

struct loader {
	const char *file;
	int errors;
};

static void __attribute__((format(printf, 3, 4)))
problem(struct loader *ld, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;
	int line = s != NULL ? (int)config_setting_source_line(s) : 0;

	if (line > 0)
		fprintf(stderr, "%s:%d: ", ld->file, line);
	else
		fprintf(stderr, "%s: ", ld->file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ld->errors++;
}

static const char *type_name(int t)
{
	switch (t) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	default:
		return "nothing";
	}
}

static const char *stype_name(enum stype t)
{
	switch (t) {
	case S_STRING:
		return "a string";
	case S_INT:
		return "an integer";
	case S_NUMBER:
		return "a number";
	case S_BOOL:
	default:
		return "a boolean (true or false)";
	}
}

static void path_of(const struct setting *st, char *buf, size_t sz)
{
	if (st->group != NULL)
		snprintf(buf, sz, "%s.%s", st->group, st->name);
	else
		snprintf(buf, sz, "%s", st->name);
}

static void load_one(struct loader *ld, struct config *c, const struct setting *st,
                     const config_setting_t *s)
{
	char path[96];
	char *dst = (char *)c + st->off;
	int t = config_setting_type(s);

	path_of(st, path, sizeof path);
	switch (st->type) {
	case S_STRING: {
		const char *v = config_setting_get_string(s);
		char **slot = (char **)(void *)dst;

		if (t != CONFIG_TYPE_STRING) {
			problem(ld, s, "%s: expected a string, got %s", path, type_name(t));
			return;
		}
		if (st->required && v[0] == '\0') {
			problem(ld, s, "%s: must not be empty", path);
			return;
		}
		free(*slot);
		if ((*slot = strdup(v)) == NULL)
			problem(ld, s, "%s: out of memory", path);
		return;
	}
	case S_INT:
	case S_NUMBER: {
		double v;

		if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
			v = (double)config_setting_get_int64(s);
		else if (t == CONFIG_TYPE_FLOAT && st->type == S_NUMBER)
			v = config_setting_get_float(s);
		else {
			problem(ld, s, "%s: expected %s, got %s", path, stype_name(st->type),
			        type_name(t));
			return;
		}
		if (v < st->min || v > st->max) {
			problem(ld, s, "%s: %g is out of range (%g to %g)", path, v, st->min,
			        st->max);
			return;
		}
		if (st->type == S_INT)
			*(int *)(void *)dst = (int)v;
		else
			*(double *)(void *)dst = v;
		return;
	}
	case S_BOOL:
		if (t != CONFIG_TYPE_BOOL) {
			problem(ld, s, "%s: expected %s, got %s", path, stype_name(st->type),
			        type_name(t));
			return;
		}
		*(int *)(void *)dst = config_setting_get_bool(s);
		return;
	}
}

static const struct setting *find_setting(const char *group, const char *name)
{
	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
		const struct setting *st = &settings[i];

		if (((st->group == NULL && group == NULL) ||
		     (st->group != NULL && group != NULL && strcmp(st->group, group) == 0)) &&
		    strcmp(st->name, name) == 0)
			return st;
	}
	return NULL;
}

static int group_known(const char *name)
{
	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
		if (settings[i].group != NULL && strcmp(settings[i].group, name) == 0)
			return 1;
	for (size_t i = 0; i < sizeof special_groups / sizeof special_groups[0]; i++)
		if (strcmp(special_groups[i], name) == 0)
			return 1;
	return 0;
}

/* Members of GROUP (a libconfig group) that the table knows are loaded; others are errors. */
static void load_table_group(struct loader *ld, struct config *c, const char *gname,
                             const config_setting_t *g, const char *const *also, size_t nalso)
{
	int n = config_setting_length(g);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		const struct setting *st = find_setting(gname, name);
		int skip = 0;

		for (size_t k = 0; k < nalso; k++)
			if (strcmp(also[k], name) == 0)
				skip = 1;
		if (skip)
			continue;
		if (st == NULL) {
			problem(ld, s, "unknown setting %s.%s", gname, name);
			continue;
		}
		load_one(ld, c, st, s);
	}
}

static void load_log(struct loader *ld, struct config *c, const config_setting_t *g)
{
	int n = config_setting_length(g);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);

		if (strcmp(name, "level") != 0) {
			problem(ld, s, "unknown setting log.%s", name);
			continue;
		}
		if (config_setting_type(s) != CONFIG_TYPE_STRING) {
			problem(ld, s, "log.level: expected a string, got %s",
			        type_name(config_setting_type(s)));
			continue;
		}
		if (log_level_parse(config_setting_get_string(s), &c->log_level) < 0)
			problem(ld, s, "log.level: \"%s\" is not one of error, warn, info, debug",
			        config_setting_get_string(s));
	}
}

static void load_templates(struct loader *ld, struct config *c, const config_setting_t *g)
{
	int n = config_setting_length(g);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		int t;

		for (t = 0; t < TPL_COUNT; t++)
			if (strcmp(tpl_defaults[t].name, name) == 0)
				break;
		if (t == TPL_COUNT) {
			problem(ld, s, "unknown template replies.templates.%s", name);
			continue;
		}
		if (config_setting_type(s) != CONFIG_TYPE_STRING) {
			problem(ld, s, "replies.templates.%s: expected a string, got %s", name,
			        type_name(config_setting_type(s)));
			continue;
		}
		free(c->replies.templates[t]);
		if ((c->replies.templates[t] = strdup(config_setting_get_string(s))) == NULL)
			problem(ld, s, "out of memory");
	}
}

/*
 * A list of strings (an array or a list) into a NULL-terminated vector of pointers into
 * libconfig's own storage: valid only until config_destroy, used at once by the parse rules.
 */
static int string_list(struct loader *ld, const config_setting_t *s, const char *path,
                       const char **vec, size_t max, size_t *n)
{
	int len;
	int t = config_setting_type(s);

	*n = 0;
	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) {
		problem(ld, s, "%s: expected a list of strings such as [\"A\", \"B\"], got %s",
		        path, type_name(t));
		return -1;
	}
	len = config_setting_length(s);
	if ((size_t)len > max) {
		problem(ld, s, "%s: more than %zu entries", path, max);
		return -1;
	}
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			problem(ld, e, "%s: entry %d is %s, expected a string", path, i + 1,
			        type_name(config_setting_type(e)));
			return -1;
		}
		vec[(*n)++] = config_setting_get_string(e);
	}
	return 0;
}

#define MAX_WORDS 64

static const struct {
	const char *name;
	enum parse_kind kind; /* PARSE_KIND_COUNT: one of the special lists below */
	int special; /* 1 patrol words, 2 anonymous, 3 village, 4 lead-in phrases, 5 abbreviations
	              */
} keyword_lists[] = {
    {"tip", PARSE_TIP, 0},
    {"supplement", PARSE_SUPPLEMENT, 0},
    {"patrol", PARSE_KIND_COUNT, 1},
    {"patrol_start", PARSE_PATROL_START, 0},
    {"patrol_end", PARSE_PATROL_END, 0},
    {"awareness", PARSE_AWARENESS, 0},
    {"mediation", PARSE_MEDIATION, 0},
    {"register", PARSE_REGISTER, 0},
    {"optout", PARSE_OPTOUT, 0},
    {"help", PARSE_HELP, 0},
    {"broadcast", PARSE_BROADCAST, 0},
    {"report", PARSE_REPORT, 0},
    {"status", PARSE_STATUS, 0},
    {"anonymous", PARSE_KIND_COUNT, 2},
    {"village", PARSE_KIND_COUNT, 3},
    {"lead_in", PARSE_KIND_COUNT, 4},
    {"abbreviations", PARSE_KIND_COUNT, 5},
};

static void load_keywords(struct loader *ld, struct config *c, const config_setting_t *g)
{
	int n = config_setting_length(g);
	const char *vec[MAX_WORDS];

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		size_t k, nw;
		char path[64];
		int rc;

		for (k = 0; k < sizeof keyword_lists / sizeof keyword_lists[0]; k++)
			if (strcmp(keyword_lists[k].name, name) == 0)
				break;
		if (k == sizeof keyword_lists / sizeof keyword_lists[0]) {
			problem(ld, s, "unknown setting keywords.%s", name);
			continue;
		}
		snprintf(path, sizeof path, "keywords.%s", name);
		if (string_list(ld, s, path, vec, MAX_WORDS, &nw) < 0)
			continue;
		switch (keyword_lists[k].special) {
		case 1:
			rc = parse_rules_set_patrol_words(c->rules, vec, nw);
			break;
		case 2:
			rc = parse_rules_set_anonymous_words(c->rules, vec, nw);
			break;
		case 3:
			rc = parse_rules_set_village_words(c->rules, vec, nw);
			break;
		case 4:
			if (parse_rules_set_lead_ins(c->rules, vec, nw) < 0)
				problem(ld, s,
				        "%s: each entry must be 1 to %d words of letters (an empty "
				        "list turns lead-ins off)",
				        path, PARSE_PHRASE_WORDS);
			continue;
		case 5:
			if (parse_rules_set_abbreviations(c->rules, vec, nw) < 0)
				problem(
				    ld, s,
				    "%s: each entry must be \"WORD=EXPANSION\", a word of letters "
				    "standing for 1 to %d words of letters (\"ng=người\"), a word "
				    "for "
				    "one expansion only (an empty list turns them off)",
				    path, PARSE_PHRASE_WORDS);
			continue;
		default:
			rc = parse_rules_set_keywords(c->rules, keyword_lists[k].kind, vec, nw);
			break;
		}
		if (rc < 0)
			problem(ld, s,
			        "%s: needs at least one word, each made of letters only (\"?\" is "
			        "allowed for help)",
			        path);
	}
}

static void load_categories(struct loader *ld, struct config *c, const config_setting_t *l)
{
	int t = config_setting_type(l);
	int n;

	if (t != CONFIG_TYPE_LIST) {
		problem(ld, l,
		        "categories: expected a list of groups ( { name = \"...\"; codes = [...]; "
		        "phrases = [...]; }, ... ), got %s",
		        type_name(t));
		return;
	}
	parse_rules_clear_categories(c->rules);
	n = config_setting_length(l);
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(l, (unsigned)i);
		const char *name = NULL;
		const char *codes[MAX_WORDS], *phrases[MAX_WORDS];
		size_t ncodes = 0, nphrases = 0;
		int m, bad = 0;

		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			problem(ld, g, "categories: entry %d is %s, expected a group", i + 1,
			        type_name(config_setting_type(g)));
			continue;
		}
		m = config_setting_length(g);
		for (int j = 0; j < m; j++) {
			const config_setting_t *s = config_setting_get_elem(g, (unsigned)j);
			const char *sn = config_setting_name(s);

			if (strcmp(sn, "name") == 0) {
				if (config_setting_type(s) != CONFIG_TYPE_STRING) {
					problem(ld, s, "categories.name: expected a string");
					bad = 1;
				} else {
					name = config_setting_get_string(s);
				}
			} else if (strcmp(sn, "codes") == 0) {
				bad |= string_list(ld, s, "categories.codes", codes, MAX_WORDS,
				                   &ncodes) < 0;
			} else if (strcmp(sn, "phrases") == 0) {
				bad |= string_list(ld, s, "categories.phrases", phrases, MAX_WORDS,
				                   &nphrases) < 0;
			} else {
				problem(ld, s, "unknown setting categories.%s", sn);
				bad = 1;
			}
		}
		if (bad)
			continue;
		if (name == NULL || name[0] == '\0') {
			problem(ld, g, "categories: entry %d has no name", i + 1);
			continue;
		}
		if (parse_rules_add_category(c->rules, name, codes, ncodes, phrases, nphrases) < 0)
			problem(ld, g,
			        "categories: \"%s\" is a duplicate or has an empty code or phrase",
			        name);
	}
}

static void load_replies(struct loader *ld, struct config *c, const config_setting_t *g)
{
	static const char *const also[] = {"templates"};
	const config_setting_t *t = config_setting_get_member(g, "templates");

	load_table_group(ld, c, "replies", g, also, 1);
	if (t == NULL)
		return;
	if (config_setting_type(t) != CONFIG_TYPE_GROUP) {
		problem(ld, t, "replies.templates: expected a group, got %s",
		        type_name(config_setting_type(t)));
		return;
	}
	load_templates(ld, c, t);
}

/* Group tips (issue 26): escalate_after by the table, urgent_categories a list of names. */
static void load_tips(struct loader *ld, struct config *c, const config_setting_t *g)
{
	static const char *const also[] = {"urgent_categories"};
	const config_setting_t *u = config_setting_get_member(g, "urgent_categories");
	const char *vec[TIPS_MAX_URGENT];
	size_t n = 0;

	load_table_group(ld, c, "tips", g, also, 1);
	if (u == NULL)
		return;
	if (string_list(ld, u, "tips.urgent_categories", vec, TIPS_MAX_URGENT, &n) < 0)
		return;
	for (int i = 0; i < c->tips.nurgent; i++)
		free(c->tips.urgent[i]);
	c->tips.nurgent = 0;
	for (size_t i = 0; i < n; i++)
		if ((c->tips.urgent[c->tips.nurgent++] = strdup(vec[i])) == NULL)
			problem(ld, u, "tips.urgent_categories: out of memory");
}

/* Each urgent category is a configured one: a typo would silently alert nobody. */
static void validate_tips(struct loader *ld, const struct config *c, const config_t *cf)
{
	int ncat = parse_category_count(c->rules);

	/* The defaults name the default categories; a file that renames them is not refused. */
	if (config_lookup(cf, "tips.urgent_categories") == NULL)
		return;
	for (int i = 0; i < c->tips.nurgent; i++) {
		int k;

		for (k = 0; k < ncat; k++)
			if (strcmp(parse_category_name(c->rules, k), c->tips.urgent[i]) == 0)
				break;
		if (k == ncat)
			problem(ld, config_lookup(cf, "tips.urgent_categories"),
			        "tips.urgent_categories: \"%s\" is not a configured category",
			        c->tips.urgent[i]);
	}
}

/* --- the USSD menu (issue 12): ussd.texts, ussd.category_labels, http.listen --- */

/* A group of NAME = "string" pairs, each handed to FN; anything else is a problem. */
static void load_string_group(struct loader *ld, struct config *c, const config_setting_t *g,
                              const char *path,
                              void (*fn)(struct loader *, struct config *, const config_setting_t *,
                                         const char *))
{
	int n;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		problem(ld, g, "%s: expected a group { name = \"text\"; ... }, got %s", path,
		        type_name(config_setting_type(g)));
		return;
	}
	n = config_setting_length(g);
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);

		if (config_setting_type(s) != CONFIG_TYPE_STRING) {
			problem(ld, s, "%s.%s: expected a string, got %s", path,
			        config_setting_name(s), type_name(config_setting_type(s)));
			continue;
		}
		fn(ld, c, s, config_setting_get_string(s));
	}
}

static void ussd_text_one(struct loader *ld, struct config *c, const config_setting_t *s,
                          const char *v)
{
	const char *name = config_setting_name(s);
	int t;

	for (t = 0; t < UT_COUNT; t++)
		if (strcmp(ussd_text_defaults[t].name, name) == 0)
			break;
	if (t == UT_COUNT) {
		problem(ld, s, "unknown text ussd.texts.%s", name);
		return;
	}
	if (v[0] == '\0') {
		problem(ld, s, "ussd.texts.%s: must not be empty", name);
		return;
	}
	free(c->ussd_menu.texts[t]);
	c->ussd_menu.text_line[t] = (int)config_setting_source_line(s);
	if ((c->ussd_menu.texts[t] = strdup(v)) == NULL)
		problem(ld, s, "out of memory");
}

static void ussd_label_one(struct loader *ld, struct config *c, const config_setting_t *s,
                           const char *v)
{
	struct ussd_menu_config *u = &c->ussd_menu;

	if (v[0] == '\0' || strchr(v, '\n') != NULL) {
		problem(ld, s, "ussd.category_labels.%s: must be one line, not empty",
		        config_setting_name(s));
		return;
	}
	if (u->nlabels == USSD_MAX_LABELS) {
		problem(ld, s, "ussd.category_labels: more than %d labels", USSD_MAX_LABELS);
		return;
	}
	u->label_name[u->nlabels] = strdup(config_setting_name(s));
	u->label[u->nlabels] = strdup(v);
	if (u->label_name[u->nlabels] == NULL || u->label[u->nlabels] == NULL)
		problem(ld, s, "out of memory");
	u->nlabels++;
}

static void load_ussd_menu(struct loader *ld, struct config *c, const config_setting_t *g)
{
	static const char *const also[] = {"texts", "category_labels"};
	const config_setting_t *t = config_setting_get_member(g, "texts");
	const config_setting_t *l = config_setting_get_member(g, "category_labels");

	load_table_group(ld, c, "ussd", g, also, 2);
	if (t != NULL)
		load_string_group(ld, c, t, "ussd.texts", ussd_text_one);
	if (l != NULL)
		load_string_group(ld, c, l, "ussd.category_labels", ussd_label_one);
}

/* What the table cannot say: an address that parses, a path that is one. */
static void check_ussd_menu(struct loader *ld, const struct config *c, const config_t *cf)
{
	char host[64];
	int port;

	if (c->http.listen != NULL &&
	    config_listen_parse(c->http.listen, host, sizeof host, &port) < 0)
		problem(ld, config_lookup(cf, "http.listen"),
		        "http.listen: \"%s\" is not ADDR:PORT (such as \"127.0.0.1:8080\" or "
		        "\"[::1]:8080\")",
		        c->http.listen);
	if (c->ussd_menu.callback_path != NULL &&
	    (c->ussd_menu.callback_path[0] != '/' || strpbrk(c->ussd_menu.callback_path, "?# ")))
		problem(ld, config_lookup(cf, "ussd.callback_path"),
		        "ussd.callback_path: \"%s\" must be a path such as \"/ussd\"",
		        c->ussd_menu.callback_path);
}

static void free_ussd_menu(struct config *c)
{
	free(c->ussd_menu.callback_path);
	free(c->ussd_menu.secret);
	free(c->http.listen);
	for (int t = 0; t < UT_COUNT; t++)
		free(c->ussd_menu.texts[t]);
	for (int i = 0; i < c->ussd_menu.nlabels; i++) {
		free(c->ussd_menu.label_name[i]);
		free(c->ussd_menu.label[i]);
	}
}

/* --- end of the USSD menu's loader --- */

/* --- issue 25: several modems (`modems`) and the networks' prefixes (`networks`) --- */

/*
 * The networks of Vietnam by their subscribers' prefixes (after the 2018 renumbering of the
 * 11-digit numbers into 03x, 05x, 07x, 08x): a number keeps its prefix's network unless it
 * was ported, which is rare enough that a prefix table is what gateways use. Prices are the
 * usual prepaid tariffs in dong per part, estimates to be set to the SIMs' own.
 */
static const struct {
	const char *name;
	const char *prefixes;
	int on_net, off_net;
} default_networks[] = {
    {"viettel", "+8432 +8433 +8434 +8435 +8436 +8437 +8438 +8439 +8486 +8496 +8497 +8498", 200,
     250},
    {"vinaphone", "+8481 +8482 +8483 +8484 +8485 +8488 +8491 +8494", 290, 350},
    {"mobifone", "+8470 +8476 +8477 +8478 +8479 +8489 +8490 +8493", 290, 350},
    {"vietnamobile", "+8452 +8456 +8458 +8492", 250, 350},
    {"gmobile", "+8459 +8499", 250, 350},
};

static int network_add_prefix(struct network_config *n, const char *p)
{
	char **np = realloc(n->prefixes, (size_t)(n->nprefixes + 1) * sizeof *np);

	if (np == NULL)
		return -1;
	n->prefixes = np;
	if ((np[n->nprefixes] = strdup(p)) == NULL)
		return -1;
	n->nprefixes++;
	return 0;
}

static int default_network_table(struct config *c)
{
	size_t k = sizeof default_networks / sizeof default_networks[0];

	free(c->networks); /* `networks = ();`: an empty list is the defaults */
	c->networks = calloc(k, sizeof *c->networks);
	if (c->networks == NULL)
		return -1;
	c->nnetworks = (int)k;
	for (size_t i = 0; i < k; i++) {
		struct network_config *n = &c->networks[i];
		char buf[200], *save = NULL;

		n->price_on_net = default_networks[i].on_net;
		n->price_off_net = default_networks[i].off_net;
		if ((n->name = strdup(default_networks[i].name)) == NULL)
			return -1;
		snprintf(buf, sizeof buf, "%s", default_networks[i].prefixes);
		for (char *t = strtok_r(buf, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save))
			if (network_add_prefix(n, t) < 0)
				return -1;
	}
	return 0;
}

/* A name for a modem or a network: what a status key and a log line can hold as they are. */
static int name_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static int int_member(struct loader *ld, const config_setting_t *s, const char *path, int *out)
{
	int t = config_setting_type(s);
	long long v;

	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
		problem(ld, s, "%s: expected an integer, got %s", path, type_name(t));
		return -1;
	}
	v = config_setting_get_int64(s);
	if (v < 0 || v > 1000000) {
		problem(ld, s, "%s: %lld is out of range (0 to 1e+06)", path, v);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* One entry of `networks`: { name; prefixes = [...]; price_on_net; price_off_net; }. */
static void load_network(struct loader *ld, struct network_config *n, const config_setting_t *g,
                         int idx)
{
	int len = config_setting_length(g);
	char path[64];

	n->price_on_net = n->price_off_net = -1;
	for (int i = 0; i < len; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);

		snprintf(path, sizeof path, "networks.%s", name);
		if (strcmp(name, "name") == 0) {
			if (config_setting_type(s) != CONFIG_TYPE_STRING ||
			    !name_ok(config_setting_get_string(s)))
				problem(ld, s,
				        "networks.name: expected a name of 1 to 32 lower-case "
				        "letters, digits, '-' or '_', such as \"viettel\"");
			else if ((n->name = strdup(config_setting_get_string(s))) == NULL)
				problem(ld, s, "out of memory");
		} else if (strcmp(name, "prefixes") == 0) {
			const char *vec[64];
			size_t k;

			if (string_list(ld, s, path, vec, 64, &k) < 0)
				continue;
			for (size_t j = 0; j < k; j++) {
				size_t l = strlen(vec[j]);

				if (l < 2 || l > 16 || vec[j][0] != '+' ||
				    strspn(vec[j] + 1, "0123456789") != l - 1)
					problem(
					    ld, config_setting_get_elem(s, (unsigned)j),
					    "networks.prefixes: \"%s\" is not a number prefix in "
					    "international form, such as \"+8496\"",
					    vec[j]);
				else if (network_add_prefix(n, vec[j]) < 0)
					problem(ld, s, "out of memory");
			}
		} else if (strcmp(name, "price_on_net") == 0) {
			int_member(ld, s, path, &n->price_on_net);
		} else if (strcmp(name, "price_off_net") == 0) {
			int_member(ld, s, path, &n->price_off_net);
		} else {
			problem(ld, s, "unknown setting networks.%s", name);
		}
	}
	if (n->name == NULL)
		problem(ld, g, "networks: entry %d has no name", idx + 1);
	if (n->price_on_net < 0)
		n->price_on_net = 0;
	if (n->price_off_net < 0)
		n->price_off_net = n->price_on_net;
}

static void load_networks(struct loader *ld, struct config *c, const config_setting_t *l)
{
	int len = config_setting_length(l);

	if (config_setting_type(l) != CONFIG_TYPE_LIST) {
		problem(ld, l,
		        "networks: expected a list ( { name = ...; prefixes = [...]; }, ... ), "
		        "got %s",
		        type_name(config_setting_type(l)));
		return;
	}
	c->networks = calloc((size_t)len + 1, sizeof *c->networks);
	if (c->networks == NULL) {
		problem(ld, l, "out of memory");
		return;
	}
	for (int i = 0; i < len; i++) {
		const config_setting_t *g = config_setting_get_elem(l, (unsigned)i);

		c->nnetworks = i + 1;
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			problem(ld, g, "networks: entry %d: expected a group { ... }, got %s",
			        i + 1, type_name(config_setting_type(g)));
			continue;
		}
		load_network(ld, &c->networks[i], g, i);
		for (int j = 0; j < i && c->networks[i].name != NULL; j++)
			if (c->networks[j].name != NULL &&
			    strcmp(c->networks[j].name, c->networks[i].name) == 0)
				problem(ld, g, "networks: \"%s\" is named twice",
				        c->networks[i].name);
	}
}

static void modem_config_free(struct modem_config *m)
{
	free(m->name);
	free(m->network);
	free(m->device);
	free(m->connection);
	free(m->model);
	free(m->sent_dir);
	free(m->pin);
	free(m->reset_command);
	free(m->gammu_debug);
}

/* The strings a modem entry left out, as the single `modem` group's defaults. 0 or -1. */
static int modem_default_strings(struct modem_config *m)
{
	char **slots[] = {&m->model,         &m->sent_dir, &m->gammu_debug, &m->pin,
	                  &m->reset_command, &m->network,  &m->name};

	for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
		if (*slots[i] == NULL && (*slots[i] = strdup("")) == NULL)
			return -1;
	return 0;
}

/*
 * `modems = ( { name = "viettel1"; device = ...; connection = ...; ... }, ... )`: each entry
 * takes the `modem` group's settings (the table's), loaded through c->modem, which holds the
 * defaults meanwhile, and moved into c->modems.
 */
static void load_modems(struct loader *ld, struct config *c, const config_setting_t *l)
{
	int len = config_setting_length(l);
	struct modem_config base = c->modem;

	if (config_setting_type(l) != CONFIG_TYPE_LIST || len < 1) {
		problem(ld, l,
		        "modems: expected a list of one or more modems ( { name = ...; device "
		        "= ...; connection = ...; }, ... )");
		return;
	}
	c->modems = calloc((size_t)len, sizeof *c->modems);
	if (c->modems == NULL) {
		problem(ld, l, "out of memory");
		return;
	}
	for (int i = 0; i < len; i++) {
		const config_setting_t *g = config_setting_get_elem(l, (unsigned)i);

		c->modem = base;
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			problem(ld, g, "modems: entry %d: expected a group { ... }, got %s", i + 1,
			        type_name(config_setting_type(g)));
			continue;
		}
		load_table_group(ld, c, "modem", g, NULL, 0);
		if (c->modem.name == NULL)
			problem(ld, g, "modems: entry %d has no name (name = \"viettel1\";)",
			        i + 1);
		if (c->modem.device == NULL)
			problem(ld, g, "modems: entry %d: missing required setting device", i + 1);
		if (c->modem.connection == NULL)
			problem(ld, g, "modems: entry %d: missing required setting connection",
			        i + 1);
		default_poll(&c->modem); /* by its own model */
		c->modems[c->nmodems++] = c->modem;
		if (modem_default_strings(&c->modems[c->nmodems - 1]) < 0)
			problem(ld, g, "out of memory");
	}
	c->modem = base;
}

/* The modems beyond types: names, devices, networks and PINs. */
static void validate_modems(struct loader *ld, const struct config *c, const config_t *cf)
{
	const config_setting_t *l = config_lookup(cf, "modems");

	for (int i = 0; i < c->nmodems; i++) {
		const struct modem_config *m = &c->modems[i];
		const config_setting_t *g = l != NULL ? config_setting_get_elem(l, (unsigned)i)
		                                      : config_lookup(cf, "modem");
		const char *pfx = l != NULL ? "modems" : "modem";

		if (!name_ok(m->name))
			problem(ld, g,
			        "%s.name: \"%s\" is not a name of 1 to 32 lower-case letters, "
			        "digits, '-' or '_', such as \"viettel1\"",
			        pfx, m->name);
		for (int j = 0; j < i; j++) {
			if (strcmp(c->modems[j].name, m->name) == 0)
				problem(ld, g, "modems: \"%s\" is named twice", m->name);
			if (strcmp(c->modems[j].device, m->device) == 0)
				problem(
				    ld, g,
				    "modems: \"%s\" and \"%s\" have the same device \"%s\": one "
				    "device is one modem",
				    c->modems[j].name, m->name, m->device);
		}
		if (m->network[0] != '\0' && config_network(c, m->network) == NULL)
			problem(ld, g,
			        "%s.network: \"%s\" is not a network of `networks` (the defaults: "
			        "viettel, vinaphone, mobifone, vietnamobile, gmobile)",
			        pfx, m->network);
		/* A PIN is 4 to 8 digits (3GPP TS 22.004); anything else would be a wrong try. */
		if (m->pin[0] != '\0' && (strspn(m->pin, "0123456789") != strlen(m->pin) ||
		                          strlen(m->pin) < 4 || strlen(m->pin) > 8))
			problem(ld, g, "%s.pin: must be 4 to 8 digits", pfx);
	}
}

const struct network_config *config_network(const struct config *c, const char *name)
{
	for (int i = 0; i < c->nnetworks; i++)
		if (c->networks[i].name != NULL && strcmp(c->networks[i].name, name) == 0)
			return &c->networks[i];
	return NULL;
}

const struct modem_config *config_modem(const struct config *c, const char *name)
{
	for (int i = 0; i < c->nmodems; i++)
		if (strcmp(c->modems[i].name, name) == 0)
			return &c->modems[i];
	return NULL;
}

const struct network_config *config_network_of(const struct config *c, const char *number)
{
	char e164[40];
	const struct network_config *best = NULL;
	size_t best_len = 0;

	/* National form "0912..." is the country's: "+84912...". */
	if (number[0] == '0' && number[1] != '0')
		snprintf(e164, sizeof e164, "+%s%s", c->country_code, number + 1);
	else if (number[0] != '+')
		snprintf(e164, sizeof e164, "+%s", number);
	else
		snprintf(e164, sizeof e164, "%s", number);
	for (int i = 0; i < c->nnetworks; i++)
		for (int j = 0; j < c->networks[i].nprefixes; j++) {
			const char *p = c->networks[i].prefixes[j];
			size_t l = strlen(p);

			if (l > best_len && strncmp(e164, p, l) == 0) {
				best = &c->networks[i];
				best_len = l;
			}
		}
	return best;
}

const char *config_network_name(const char *number, void *cfg)
{
	const struct network_config *n = config_network_of(cfg, number);

	return n != NULL ? n->name : NULL;
}

/* --- end of issue 25's loaders --- */

static void check_required(struct loader *ld, const config_t *cf)
{
	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
		const struct setting *st = &settings[i];
		char path[96];

		if (!st->required)
			continue;
		/* With `modems` the modem settings are each entry's (load_modems). */
		if (st->group != NULL && strcmp(st->group, "modem") == 0 &&
		    config_lookup(cf, "modems") != NULL)
			continue;
		path_of(st, path, sizeof path);
		if (config_lookup(cf, path) == NULL) {
			const config_setting_t *g = st->group ? config_lookup(cf, st->group) : NULL;
			problem(ld, g, "missing required setting %s", path);
		}
	}
}

/*
 * The ussd group beyond types and ranges: the balance code is what a phone's keypad can dial,
 * and the pattern compiles (regcomp, POSIX extended) with at least one group, the amount.
 */
static void validate_ussd(struct loader *ld, struct config *c, const config_t *cf)
{
	const char *code = c->ussd.balance_code, *pat = c->ussd.balance_pattern;

	if (code[0] != '\0' && (strspn(code, "0123456789*#+") != strlen(code) || strlen(code) > 40))
		problem(ld, config_lookup(cf, "ussd.balance_code"),
		        "ussd.balance_code: \"%s\" is not a USSD code (digits, * and #, such as "
		        "\"*101#\")",
		        code);
	if (pat[0] != '\0') {
		regex_t re;
		int rc = regcomp(&re, pat, REG_EXTENDED);

		if (rc != 0) {
			char why[160];

			regerror(rc, &re, why, sizeof why);
			problem(ld, config_lookup(cf, "ussd.balance_pattern"),
			        "ussd.balance_pattern: \"%s\" is not a POSIX extended regular "
			        "expression: %s",
			        pat, why);
			return;
		}
		if (re.re_nsub < 1)
			problem(ld, config_lookup(cf, "ussd.balance_pattern"),
			        "ussd.balance_pattern: \"%s\" has no group: put the amount in "
			        "parentheses, such as \"TKC ([0-9.,]+)\"",
			        pat);
		regfree(&re);
	}
}

/*
 * database.group names a group of this system (issue 13): its gid is looked up once, here, so
 * that a misspelt name stops the program at start rather than at the first file it creates.
 */
static void validate_database_group(struct loader *ld, struct config *c, const config_t *cf)
{
	const char *name = c->database.group;
	struct group *g;

	c->database.group_gid = -1;
	if (name[0] == '\0')
		return;
	errno = 0;
	g = getgrnam(name);
	if (g == NULL)
		problem(ld, config_lookup(cf, "database.group"),
		        "database.group: there is no group \"%s\" on this system%s%s (create it "
		        "with groupadd, or leave the setting out for files only the owner reads)",
		        name, errno != 0 ? ": " : "", errno != 0 ? strerror(errno) : "");
	else
		c->database.group_gid = (long)g->gr_gid;
}

int config_host_loopback(const char *host)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	return inet_pton(AF_INET6, host, a) == 1 &&
	       memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0;
}

/* The console group: an address, plain HTTP only on loopback, both TLS files or neither. */
static void validate_console(struct loader *ld, const struct config *c, const config_t *cf)
{
	const struct console_config *k = &c->console;
	char host[64];
	int port;

	if (config_listen_parse(k->listen, host, sizeof host, &port) < 0)
		problem(ld, config_lookup(cf, "console.listen"),
		        "console.listen: \"%s\" is not ADDR:PORT (such as \"0.0.0.0:8443\" or "
		        "\"[::]:8443\")",
		        k->listen);
	else if (!k->tls && !config_host_loopback(host))
		problem(
		    ld, config_lookup(cf, "console.tls"),
		    "console.tls: plain HTTP only on a loopback address (127.0.0.1, ::1), not on "
		    "%s: passwords and session cookies would cross the network in clear",
		    k->listen);
	if ((k->tls_cert[0] == '\0') != (k->tls_key[0] == '\0'))
		problem(ld,
		        config_lookup(cf, k->tls_cert[0] ? "console.tls_cert" : "console.tls_key"),
		        "console.tls_cert and console.tls_key: give both (PEM files) or neither (a "
		        "self-signed certificate is made beside the database)");
}

/* 1 if S is a node name: 1 to 40 of a-z, 0-9 and '-' (it becomes part of a role's name). */
int config_node_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 40 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* The sync group: both conninfo and node, or neither (sync off). */
static void validate_sync(struct loader *ld, const struct config *c, const config_t *cf)
{
	const struct sync_config *k = &c->sync;

	if (k->conninfo[0] != '\0' && k->node[0] == '\0')
		problem(ld, config_lookup(cf, "sync.conninfo"),
		        "sync.node: give the commune's name at the district (as `tipline district "
		        "add-node` made it) with sync.conninfo");
	else if (k->node[0] != '\0' && !config_node_name_ok(k->node))
		problem(ld, config_lookup(cf, "sync.node"),
		        "sync.node: \"%s\" must be 1 to 40 of a-z, 0-9 and -", k->node);
	else if (k->node[0] != '\0' && k->conninfo[0] == '\0')
		problem(ld, config_lookup(cf, "sync.node"),
		        "sync.conninfo: give the district's connection string with sync.node");
}

static void validate(struct loader *ld, struct config *c, const config_t *cf)
{
	const char *cc = c->country_code;
	char word[64];

	if (parse_rules_conflict(c->rules, word, sizeof word))
		problem(ld, NULL,
		        "keywords: \"%s\" is the keyword of two commands; one of them "
		        "could never be used",
		        word);

	if (cc[0] == '\0' || strspn(cc, "0123456789") != strlen(cc) || strlen(cc) > 3)
		problem(ld, NULL,
		        "phone.country_code: \"%s\" must be 1 to 3 digits, such as \"84\"", cc);
	validate_ussd(ld, c, cf);
	validate_database_group(ld, c, cf);
	validate_console(ld, c, cf);
	validate_sync(ld, c, cf);
	validate_tips(ld, c, cf);
	validate_modems(ld, c, cf);
}

/*
 * libconfig 1.5 (Debian 12) ends the whole process from inside its scanner ("input in flex
 * scanner failed", exit status 2) when an @include names a directory, and would do so in a
 * running daemon at SIGHUP. tipline keeps its configuration in one file, so an @include line
 * is refused here, with its line number, before libconfig reads the file. Returns the number
 * of such lines reported (0: none), or 0 when the file cannot be read (libconfig says why).
 */
static int refuse_includes(const char *file)
{
	FILE *f = fopen(file, "r");
	char line[4096];
	int lineno = 0, bad = 0, at_start = 1;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL) {
		const char *p = line;

		if (at_start) {
			lineno++;
			p += strspn(p, " \t");
			if (strncmp(p, "@include", 8) == 0) {
				fprintf(stderr,
				        "%s:%d: @include is not supported: keep the whole "
				        "configuration in this file\n",
				        file, lineno);
				bad++;
			}
		}
		/* A line longer than the buffer continues in the next read, not a new line. */
		at_start = strchr(line, '\n') != NULL;
	}
	fclose(f);
	return bad;
}

/*
 * After loading: the single `modem` group becomes a list of one, c->modem the first modem
 * (its strings owned by c->modems[0]), and the default networks when none were given.
 */
static int modems_finish(struct config *c)
{
	if (c->nnetworks == 0 && default_network_table(c) < 0)
		return -1;
	if (c->nmodems == 0) {
		c->modems = calloc(1, sizeof *c->modems);
		if (c->modems == NULL)
			return -1;
		c->modems[0] = c->modem;
		c->nmodems = 1;
	} else {
		/* default_strings gave c->modem strings of its own: c->modems[0]'s replace them. */
		modem_config_free(&c->modem);
	}
	c->modem = c->modems[0];
	c->modem_shared = 1;
	return 0;
}

struct config *config_load(const char *file)
{
	config_t cf;
	struct config *c = NULL;
	struct loader ld = {file, 0};
	config_setting_t *root;
	int n;

	config_init(&cf);
	c = calloc(1, sizeof *c);
	if (c == NULL)
		goto fail;
	defaults(c);
	if ((c->file = strdup(file)) == NULL || (c->rules = parse_rules_new()) == NULL)
		goto fail;
	if (refuse_includes(file) > 0)
		goto fail;
	if (config_read_file(&cf, file) != CONFIG_TRUE) {
		if (config_error_type(&cf) == CONFIG_ERR_FILE_IO) {
			FILE *f = fopen(file, "r");
			/* libconfig does not say why; fopen does. */
			fprintf(stderr, "%s: cannot read the configuration file: %s\n", file,
			        f == NULL ? strerror(errno) : "read error");
			if (f != NULL)
				fclose(f);
		} else {
			fprintf(stderr, "%s:%d: %s\n",
			        config_error_file(&cf) ? config_error_file(&cf) : file,
			        config_error_line(&cf), config_error_text(&cf));
		}
		goto fail;
	}
	root = config_root_setting(&cf);
	n = config_setting_length(root);
	for (int i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);
		int t = config_setting_type(s);

		if (strcmp(name, "categories") == 0) {
			load_categories(&ld, c, s);
			continue;
		}
		if (strcmp(name, "modems") == 0) {
			if (config_lookup(&cf, "modem") != NULL)
				problem(&ld, s,
				        "modems: give either the `modem` group (one modem) or "
				        "the `modems` list, not both");
			else
				load_modems(&ld, c, s);
			continue;
		}
		if (strcmp(name, "networks") == 0) {
			load_networks(&ld, c, s);
			continue;
		}
		if (!group_known(name)) {
			problem(&ld, s, "unknown setting %s", name);
			continue;
		}
		if (t != CONFIG_TYPE_GROUP) {
			problem(&ld, s, "%s: expected a group { ... }, got %s", name, type_name(t));
			continue;
		}
		if (strcmp(name, "log") == 0)
			load_log(&ld, c, s);
		else if (strcmp(name, "keywords") == 0)
			load_keywords(&ld, c, s);
		else if (strcmp(name, "replies") == 0)
			load_replies(&ld, c, s);
		else if (strcmp(name, "ussd") == 0)
			load_ussd_menu(&ld, c, s);
		else if (strcmp(name, "tips") == 0)
			load_tips(&ld, c, s);
		else
			load_table_group(&ld, c, name, s, NULL, 0);
	}
	check_required(&ld, &cf);
	default_poll(&c->modem);
	if (default_strings(c) < 0) {
		problem(&ld, NULL, "out of memory");
		goto fail;
	}
	if (ld.errors == 0 && modems_finish(c) < 0) {
		problem(&ld, NULL, "out of memory");
		goto fail;
	}
	if (ld.errors == 0)
		check_ussd_menu(&ld, c, &cf);
	if (ld.errors == 0)
		validate(&ld, c, &cf);
	if (ld.errors > 0)
		goto fail;
	config_destroy(&cf);
	return c;
fail:
	config_destroy(&cf);
	config_free(c);
	return NULL;
}

void config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->file);
	free(c->country_code);
	/* c->modem's strings are c->modems[0]'s once the list is made (modems_finish). */
	if (!c->modem_shared)
		modem_config_free(&c->modem);
	for (int i = 0; i < c->nmodems; i++)
		modem_config_free(&c->modems[i]);
	free(c->modems);
	for (int i = 0; i < c->nnetworks; i++) {
		free(c->networks[i].name);
		for (int j = 0; j < c->networks[i].nprefixes; j++)
			free(c->networks[i].prefixes[j]);
		free(c->networks[i].prefixes);
	}
	free(c->networks);
	free(c->database.path);
	free(c->database.group);
	free(c->ussd.balance_code);
	free(c->ussd.balance_pattern);
	free(c->console.listen);
	free(c->console.tls_cert);
	free(c->console.tls_key);
	free(c->sync.conninfo);
	free(c->sync.node);
	for (int t = 0; t < TPL_COUNT; t++)
		free(c->replies.templates[t]);
	for (int i = 0; i < c->tips.nurgent; i++)
		free(c->tips.urgent[i]);
	free_ussd_menu(c);
	if (c->rules != NULL)
		parse_rules_free(c->rules);
	free(c);
}

size_t config_render(const char *tpl, const char *const *kv, char *out, size_t outsz)
{
	size_t n = 0;

#define PUT(ch)                                                                                    \
	do {                                                                                       \
		if (n + 1 < outsz)                                                                 \
			out[n] = (ch);                                                             \
		n++;                                                                               \
	} while (0)

	for (const char *p = tpl; *p != '\0';) {
		const char *close;
		int done = 0;

		if (*p == '{' && (close = strchr(p + 1, '}')) != NULL) {
			size_t klen = (size_t)(close - p - 1);

			for (const char *const *k = kv; k != NULL && k[0] != NULL; k += 2) {
				if (strlen(k[0]) == klen && memcmp(k[0], p + 1, klen) == 0) {
					for (const char *v = k[1] ? k[1] : ""; *v != '\0'; v++)
						PUT(*v);
					p = close + 1;
					done = 1;
					break;
				}
			}
		}
		if (!done) {
			/* Not PUT(*p++): the macro skips its argument once out is full. */
			char c = *p++;

			PUT(c);
		}
	}
#undef PUT
	if (outsz > 0)
		out[n < outsz ? n : outsz - 1] = '\0';
	return n;
}
