/*
 * api_auth.c — API keys and authentication.
 *
 * A key is "kz_<key_id>_<secret>": key_id is 16 hex characters (public, the
 * row to look up), secret is 43 base64url characters = 256 random bits from
 * libsodium. Only BLAKE2b-256(secret) is stored; a presented secret is hashed
 * and compared with sodium_memcmp (constant time), so neither the database
 * nor timing reveals a key. Lookup by key_id first means the comparison runs
 * against exactly one candidate.
 *
 * Accepted headers (AiKYNETIX documents all three): `Authorization: API-KEY
 * <k>`, `API-KEY: <k>`, `Authorization: Bearer <k>`.
 */
#include "api/api_int.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

#define KEY_ID_HEX 16
#define KEY_SECRET_BYTES 32

static void key_hash(const char *secret, uint8_t out[STORE_KEY_HASH_BYTES])
{
    crypto_generichash(out, STORE_KEY_HASH_BYTES, (const unsigned char *)secret, strlen(secret),
                       NULL, 0);
}

enum kz_err api_key_generate(struct store_key *k, char *token, size_t cap, struct err_ctx *e)
{
    unsigned char idb[KEY_ID_HEX / 2], sec[KEY_SECRET_BYTES];
    char secret[sodium_base64_ENCODED_LEN(KEY_SECRET_BYTES,
                                          sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    randombytes_buf(idb, sizeof idb);
    randombytes_buf(sec, sizeof sec);
    sodium_bin2hex(k->id, sizeof k->id, idb, sizeof idb);
    sodium_bin2base64(secret, sizeof secret, sec, sizeof sec,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(sec, sizeof sec);
    key_hash(secret, k->hash);
    if (str_printf(token, cap, "kz_%s_%s", k->id, secret) != KZ_OK) {
        sodium_memzero(secret, sizeof secret);
        return err_set(e, KZ_E_INTERNAL, "key buffer too small");
    }
    sodium_memzero(secret, sizeof secret);
    return KZ_OK;
}

int api_key_parse(const char *token, char *key_id, size_t id_cap, char *secret, size_t secret_cap)
{
    const char *sep;
    size_t idn;
    if (!token || strncmp(token, "kz_", 3) != 0)
        return -1;
    sep = strchr(token + 3, '_');
    if (!sep)
        return -1;
    idn = (size_t)(sep - token - 3);
    if (idn != KEY_ID_HEX || idn >= id_cap)
        return -1;
    for (size_t i = 0; i < idn; i++) {
        char ch = token[3 + i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
            return -1;
    }
    memcpy(key_id, token + 3, idn);
    key_id[idn] = '\0';
    if (!sep[1] || str_copy(secret, secret_cap, sep + 1) != KZ_OK)
        return -1;
    return 0;
}

int api_key_matches(const struct store_key *k, const char *secret)
{
    uint8_t h[STORE_KEY_HASH_BYTES];
    key_hash(secret, h);
    return sodium_memcmp(h, k->hash, sizeof h) == 0;
}

const char *api_auth_token(const char *authorization, const char *api_key_header, char *buf,
                           size_t cap)
{
    const char *t = NULL;
    if (authorization && *authorization) {
        t = authorization;
        while (*t == ' ')
            t++;
        if (strncasecmp(t, "API-KEY", 7) == 0 && (t[7] == ' ' || t[7] == ':'))
            t += 8;
        else if (strncasecmp(t, "Bearer ", 7) == 0)
            t += 7;
        /* else: a bare key, as LIVE docs' "Authorization: YOUR_API_KEY" samples show */
    } else if (api_key_header && *api_key_header) {
        t = api_key_header;
    }
    if (!t)
        return NULL;
    while (*t == ' ')
        t++;
    if (!*t || str_copy(buf, cap, t) != KZ_OK)
        return *t ? "" : NULL; /* too long: present but certainly invalid */
    for (size_t n = strlen(buf); n > 0 && buf[n - 1] == ' ';)
        buf[--n] = '\0';
    return buf;
}

enum kz_err api_authenticate(struct api *a, struct http_request *r, struct api_caller *out,
                             struct err_ctx *e)
{
    char buf[256], key_id[STORE_ID_MAX], secret[128];
    struct store_key k;
    enum kz_err rc;
    const char *tok = api_auth_token(http_request_header(r, "Authorization"),
                                     http_request_header(r, "API-KEY"), buf, sizeof buf);
    memset(out, 0, sizeof *out);
    if (!tok)
        return err_set(e, KZ_E_UNAUTHENTICATED, "No token provided.");
    if (api_key_parse(tok, key_id, sizeof key_id, secret, sizeof secret) != 0)
        return err_set(e, KZ_E_UNAUTHENTICATED, "Invalid or inactive API key.");
    rc = store_key_get(a->store, key_id, &k, e);
    if (rc == KZ_E_NOT_FOUND)
        return err_set(e, KZ_E_UNAUTHENTICATED, "Invalid or inactive API key.");
    if (rc != KZ_OK)
        return rc;
    if (!api_key_matches(&k, secret) || !k.is_active)
        return err_set(e, KZ_E_UNAUTHENTICATED, "Invalid or inactive API key.");
    rc = store_user_get(a->store, k.user_id, &out->user, e);
    if (rc == KZ_OK)
        rc = store_org_get(a->store, out->user.org_id, &out->org, e);
    if (rc == KZ_E_NOT_FOUND)
        return err_set(e, KZ_E_UNAUTHENTICATED, "Invalid or inactive API key.");
    str_copy(out->key_id, sizeof out->key_id, k.id);
    sodium_memzero(secret, sizeof secret);
    return rc;
}
