/*
 * The console's certificate (see console_int.h): read the configured PEM files, or make a
 * self-signed certificate for this host at the first start and keep it beside the database,
 * as Cockpit does. All cryptography is GnuTLS's: key generation, signing, SHA-256.
 */
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "console.h"
#include "console_int.h"
#include "log.h"

int console_sha256_hex(const char *s, char out[65])
{
	unsigned char d[32];

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, s, strlen(s), d) < 0)
		return -1;
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	return 0;
}

/* The whole of PATH, NUL-terminated (malloc'd), or NULL with errno set. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < 1 << 20 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
			errno = EIO;
		} else
			buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

/* Write LEN bytes of DATA to PATH (mode MODE) through a temporary file and rename. 0 or -1. */
static int write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX + 8];
	int fd, rc = -1;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	if (write(fd, data, len) == (ssize_t)len && fsync(fd) == 0)
		rc = 0;
	if (close(fd) < 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -1;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

/* A self-signed ECDSA P-256 certificate for this host, valid ten years. 0, or -1 (said). */
static int make_self_signed(const char *cert_path, const char *key_path)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t kp = {NULL, 0}, cp = {NULL, 0};
	unsigned char serial[16];
	char host[256] = "localhost";
	time_t now = time(NULL);
	int rc = -1, e;

	gethostname(host, sizeof host - 1);
	if ((e = gnutls_x509_privkey_init(&key)) < 0 ||
	    (e = gnutls_x509_privkey_generate(
	         key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) < 0 ||
	    (e = gnutls_x509_crt_init(&crt)) < 0 || (e = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (e = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial)) < 0)
		goto out;
	serial[0] &= 0x7f; /* a positive serial number */
	if ((e = gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0 ||
	    (e = gnutls_x509_crt_set_activation_time(crt, now - 86400)) < 0 ||
	    (e = gnutls_x509_crt_set_expiration_time(crt, now + 10L * 365 * 86400)) < 0 ||
	    (e = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, host,
	                                       (unsigned)strlen(host))) < 0 ||
	    (e = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
	                                       "tipline console", 15)) < 0 ||
	    (e = gnutls_x509_crt_set_subject_alt_name(
	         crt, GNUTLS_SAN_DNSNAME, host, (unsigned)strlen(host), GNUTLS_FSAN_APPEND)) < 0 ||
	    (e = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
	                                              GNUTLS_FSAN_APPEND)) < 0 ||
	    (e = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
	    (e = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
	    (e = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0 ||
	    (e = gnutls_x509_crt_set_key(crt, key)) < 0 ||
	    (e = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0 ||
	    (e = gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &kp)) < 0 ||
	    (e = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cp)) < 0)
		goto out;
	/* The key first: a certificate without its key would be kept and never work. */
	if (write_file(key_path, kp.data, kp.size, 0600) < 0 ||
	    write_file(cert_path, cp.data, cp.size, 0644) < 0) {
		fprintf(stderr, "tipline: cannot write the console's certificate %s: %s\n",
		        cert_path, strerror(errno));
		e = 0;
		goto out;
	}
	log_info("console: made a self-signed certificate for %s: %s", host, cert_path);
	rc = 0;
out:
	if (rc < 0 && e < 0)
		fprintf(stderr, "tipline: console: cannot make a certificate: %s\n",
		        gnutls_strerror(e));
	gnutls_free(kp.data);
	gnutls_free(cp.data);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	if (key != NULL)
		gnutls_x509_privkey_deinit(key);
	return rc;
}

/* The self-signed pair's paths: the state directory, the database's. */
static void default_paths(const struct config *cfg, char *cpath, char *kpath, size_t sz)
{
	const char *slash = strrchr(cfg->database.path, '/');
	char dir[PATH_MAX];

	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - cfg->database.path),
		         cfg->database.path);
	snprintf(cpath, sz, "%s/console-cert.pem", dir[0] ? dir : "/");
	snprintf(kpath, sz, "%s/console-key.pem", dir[0] ? dir : "/");
}

int console_tls_load(const struct config *cfg, char **cert, char **key)
{
	char cpath[PATH_MAX + 32], kpath[PATH_MAX + 32];

	*cert = *key = NULL;
	if (cfg->console.tls_cert[0] != '\0') {
		snprintf(cpath, sizeof cpath, "%s", cfg->console.tls_cert);
		snprintf(kpath, sizeof kpath, "%s", cfg->console.tls_key);
	} else {
		default_paths(cfg, cpath, kpath, sizeof cpath);
		if (access(cpath, F_OK) < 0 && access(kpath, F_OK) < 0 &&
		    make_self_signed(cpath, kpath) < 0)
			return -1;
	}
	if ((*cert = slurp(cpath)) == NULL || (*key = slurp(kpath)) == NULL) {
		fprintf(stderr, "tipline: %s: cannot read the console's TLS %s %s: %s\n", cfg->file,
		        *cert == NULL ? "certificate" : "key", *cert == NULL ? cpath : kpath,
		        strerror(errno));
		free(*cert);
		*cert = NULL;
		return -1;
	}
	return 0;
}

int console_make_cert(const struct config *cfg)
{
	char cpath[PATH_MAX + 32], kpath[PATH_MAX + 32];
	int has_c, has_k;

	if (!cfg->console.tls) {
		printf("console.tls is false: no certificate needed\n");
		return 0;
	}
	if (cfg->console.tls_cert[0] != '\0') {
		printf("console.tls_cert is set (%s): nothing to make\n", cfg->console.tls_cert);
		return 0;
	}
	default_paths(cfg, cpath, kpath, sizeof cpath);
	has_c = access(cpath, F_OK) == 0;
	has_k = access(kpath, F_OK) == 0;
	/* Half a pair is a person's doing (a key copied in, say): never overwritten. */
	if (has_c != has_k) {
		fprintf(stderr, "tipline: console: %s exists without %s: not overwriting it\n",
		        has_c ? cpath : kpath, has_c ? kpath : cpath);
		return 1;
	}
	if (has_c) {
		printf("%s: kept\n", cpath);
		return 0;
	}
	if (make_self_signed(cpath, kpath) < 0)
		return 1;
	printf("%s: made (its key %s)\n", cpath, kpath);
	return 0;
}
