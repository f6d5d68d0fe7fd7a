/*
 * blob.h — where media files live. The default (and for now only) backend is
 * a local directory: `<root>/media/<key>` for placed files and `<root>/tmp/`
 * for files being written. A file becomes visible under its key only through
 * blob_place(), an fsync + rename, so readers never see half-written media and
 * a crash leaves at most a stray file in tmp/ (swept by blob_open).
 *
 * Keys are relative paths made of [A-Za-z0-9._-] segments separated by '/',
 * e.g. "sessions/<id>/original.mp4"; anything else is refused (KZ_E_INVALID),
 * so a key can never escape the media directory.
 *
 * Thread-safety: every function may be called from any thread.
 */
#ifndef KZ_BLOB_H
#define KZ_BLOB_H

#include "core/core.h"

#define BLOB_PATH_MAX 1024

/* A session's files: key "sessions/<session id>/<file>" (blob_session_key). */
#define BLOB_FILE_ANALYZED "analyzed.mp4" /* the analyzed video (worker's analysis stage) */
#define BLOB_FILE_THUMBNAIL "thumbnail.jpg"

/*
 * Key of `file` of session `session_id` into out[cap]: "sessions/<id>/<file>",
 * or the session's directory "sessions/<id>" when file is NULL.
 * Errors: KZ_E_INVALID (NULL id, result too long or not a valid key).
 */
enum kz_err blob_session_key(const char *session_id, const char *file, char *out, size_t cap,
                             struct err_ctx *e);

struct blob_store;

/*
 * Open (creating as needed) the media area under `root`, and delete leftovers
 * in its tmp/ directory when `sweep_tmp` (only safe when no other process is
 * writing there). Errors: KZ_E_IO. *out: caller frees with blob_close().
 */
enum kz_err blob_open(const char *root, int sweep_tmp, struct blob_store **out, struct err_ctx *e);
void blob_close(struct blob_store *b); /* NULL-safe */

/*
 * Create an empty temporary file for writing; returns its open fd (caller
 * closes) and its path in `path` (capacity BLOB_PATH_MAX). `suffix` (e.g.
 * ".mp4", may be "") is appended to the name. Errors: KZ_E_IO.
 */
enum kz_err blob_tmp_create(struct blob_store *b, const char *suffix, int *fd,
                            char path[BLOB_PATH_MAX], struct err_ctx *e);

/*
 * Atomically move the finished temporary file `tmp_path` to `key` (fsyncs the
 * file and the directory). Overwrites an existing blob. Errors: KZ_E_INVALID
 * bad key, KZ_E_IO.
 */
enum kz_err blob_place(struct blob_store *b, const char *tmp_path, const char *key,
                       struct err_ctx *e);

/* Absolute path of `key` in `path` (capacity BLOB_PATH_MAX). KZ_E_INVALID bad key. */
enum kz_err blob_path(const struct blob_store *b, const char *key, char path[BLOB_PATH_MAX],
                      struct err_ctx *e);

/* Size in bytes of `key`; KZ_E_NOT_FOUND when absent. */
enum kz_err blob_size(const struct blob_store *b, const char *key, int64_t *size,
                      struct err_ctx *e);

/* Remove `key` (missing is fine). Errors: KZ_E_INVALID, KZ_E_IO. */
enum kz_err blob_remove(struct blob_store *b, const char *key, struct err_ctx *e);

/* Remove every blob whose key starts with `prefix/` (a directory), e.g. "sessions/<id>". */
enum kz_err blob_remove_prefix(struct blob_store *b, const char *prefix, struct err_ctx *e);

/* 1 when `key` is well formed (see above), else 0. */
int blob_key_valid(const char *key);

/* ---- signed media URLs (blob_sign.c) ---- */
#define BLOB_SIG_HEX 65 /* 64 hex digits of HMAC-SHA256 + NUL */

struct blob_signer;

/*
 * Load the server's URL-signing secret from `<data_dir>/secret.key`, creating
 * it (256 random bits, mode 0600) on first use. Errors: KZ_E_IO (unreadable,
 * wrong size, cannot create), KZ_E_NOMEM, KZ_E_INTERNAL (libsodium).
 * *out: caller frees with blob_signer_close(). Thread-safe once opened.
 */
enum kz_err blob_signer_open(const char *data_dir, struct blob_signer **out, struct err_ctx *e);
void blob_signer_close(struct blob_signer *s); /* NULL-safe; wipes the secret */
/* Signature (hex) binding `key`, `expires_s` (Unix time) and the disposition. */
void blob_signer_sign(const struct blob_signer *s, const char *key, int64_t expires_s,
                      int attachment, char sig_hex[BLOB_SIG_HEX]);
/*
 * KZ_OK when `sig_hex` signs exactly (key, expires_s, attachment) and
 * now_s <= expires_s (constant-time comparison); otherwise KZ_E_FORBIDDEN
 * with the message "Invalid or expired media signature.".
 */
enum kz_err blob_signer_verify(const struct blob_signer *s, const char *key, int64_t expires_s,
                               int attachment, const char *sig_hex, int64_t now_s,
                               struct err_ctx *e);

#endif
