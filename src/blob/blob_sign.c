/*
 * blob_sign.c — signed, expiring media URLs. A browser's <video> element
 * cannot send an Authorization header, so kinalyze hands out URLs that carry
 * their own proof: an HMAC-SHA256 (libsodium) over the blob key, the expiry
 * time and the disposition, with a 256-bit server secret kept in
 * `<data-dir>/secret.key` (created 0600 on first use, never served).
 *
 * Message signed: "kz-media-v1\n<key>\n<expires_s>\n<disposition>" where the
 * disposition is "inline" or "attachment"; so a signature is bound to one
 * file, one expiry and one way of delivering it.
 */
#include "blob/blob.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct blob_signer {
    unsigned char secret[crypto_auth_hmacsha256_KEYBYTES];
};

/* Read exactly the secret's size from `path`; 0 on success. */
static int signer_read(const char *path, unsigned char *secret, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t got;
    if (fd < 0)
        return -1;
    got = read(fd, secret, n);
    close(fd);
    return got == (ssize_t)n ? 0 : -1;
}

enum kz_err blob_signer_open(const char *data_dir, struct blob_signer **out, struct err_ctx *e)
{
    char path[BLOB_PATH_MAX], tmp[BLOB_PATH_MAX];
    struct blob_signer *s = NULL;
    int fd = -1;
    enum kz_err rc;
    *out = NULL;
    if (sodium_init() < 0)
        return err_set(e, KZ_E_INTERNAL, "libsodium failed to initialise");
    if (str_printf(path, sizeof path, "%s/secret.key", data_dir) != KZ_OK ||
        str_printf(tmp, sizeof tmp, "%s/secret.key.tmp.%ld", data_dir, (long)getpid()) != KZ_OK)
        return err_set(e, KZ_E_INVALID, "data directory path too long");
    s = sodium_malloc(sizeof *s);
    if (!s)
        return err_set(e, KZ_E_NOMEM, NULL);
    if (signer_read(path, s->secret, sizeof s->secret) == 0) {
        *out = s;
        return KZ_OK;
    }
    if (access(path, F_OK) == 0) {
        rc = err_set(e, KZ_E_IO, "%s: unreadable or not %zu bytes", path, sizeof s->secret);
        goto fail;
    }
    /* First start: write a fresh secret to a temp file, then link it into place
       so two processes starting together agree on one secret. */
    crypto_auth_hmacsha256_keygen(s->secret);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, s->secret, sizeof s->secret) != (ssize_t)sizeof s->secret ||
        fsync(fd) != 0) {
        rc = err_set(e, KZ_E_IO, "cannot write %s: %s", tmp, strerror(errno));
        goto fail;
    }
    close(fd);
    fd = -1;
    if (link(tmp, path) != 0 && errno != EEXIST) {
        rc = err_set(e, KZ_E_IO, "cannot create %s: %s", path, strerror(errno));
        goto fail;
    }
    unlink(tmp);
    if (signer_read(path, s->secret, sizeof s->secret) != 0) {
        rc = err_set(e, KZ_E_IO, "cannot read back %s", path);
        goto fail;
    }
    *out = s;
    return KZ_OK;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    sodium_free(s);
    return rc;
}

void blob_signer_close(struct blob_signer *s)
{
    if (s)
        sodium_free(s); /* zeroes the secret */
}

static void signer_mac(const struct blob_signer *s, const char *key, int64_t expires_s,
                       int attachment, unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
    crypto_auth_hmacsha256_state st;
    char tail[64];
    int n = snprintf(tail, sizeof tail, "\n%lld\n%s", (long long)expires_s,
                     attachment ? "attachment" : "inline");
    crypto_auth_hmacsha256_init(&st, s->secret, sizeof s->secret);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"kz-media-v1\n", 12);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)key, strlen(key));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)tail, (unsigned long long)n);
    crypto_auth_hmacsha256_final(&st, mac);
}

void blob_signer_sign(const struct blob_signer *s, const char *key, int64_t expires_s,
                      int attachment, char sig_hex[BLOB_SIG_HEX])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    signer_mac(s, key, expires_s, attachment, mac);
    sodium_bin2hex(sig_hex, BLOB_SIG_HEX, mac, sizeof mac);
}

enum kz_err blob_signer_verify(const struct blob_signer *s, const char *key, int64_t expires_s,
                               int attachment, const char *sig_hex, int64_t now_s,
                               struct err_ctx *e)
{
    unsigned char want[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES];
    size_t got_len = 0;
    if (!sig_hex || strlen(sig_hex) != 2 * sizeof got ||
        sodium_hex2bin(got, sizeof got, sig_hex, strlen(sig_hex), NULL, &got_len, NULL) != 0 ||
        got_len != sizeof got)
        return err_set(e, KZ_E_FORBIDDEN, "Invalid or expired media signature.");
    signer_mac(s, key, expires_s, attachment, want);
    if (sodium_memcmp(want, got, sizeof got) != 0)
        return err_set(e, KZ_E_FORBIDDEN, "Invalid or expired media signature.");
    if (now_s > expires_s)
        return err_set(e, KZ_E_FORBIDDEN, "Invalid or expired media signature.");
    return KZ_OK;
}
