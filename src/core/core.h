/*
 * core.h — the foundation every kinalyze module stands on: one project-wide
 * error enum with a message that travels with it, logging, bounded string
 * helpers and clocks. Nothing here knows about HTTP, video or models.
 *
 * Error convention: functions that can fail return `enum kz_err` (KZ_OK == 0)
 * and take an optional `struct err_ctx *` (may be NULL) that receives a
 * human-readable message. Only the api layer maps errors to HTTP statuses.
 *
 * Thread-safety: everything here is thread-safe; the log level is a global
 * set once at start-up.
 */
#ifndef KZ_CORE_H
#define KZ_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* The one error table: X(NAME, "default message"). Add new codes at the end. */
#define KZ_ERRORS(X)                                                                               \
    X(OK, "ok")                                                                                    \
    X(NOMEM, "out of memory")                                                                      \
    X(IO, "input/output error")                                                                    \
    X(INVALID, "invalid argument")                                                                 \
    X(NOT_FOUND, "not found")                                                                      \
    X(FORMAT, "malformed data")                                                                    \
    X(TOO_LARGE, "too large")                                                                      \
    X(UNSUPPORTED, "unsupported")                                                                  \
    X(CONFLICT, "conflict")                                                                        \
    X(FORBIDDEN, "forbidden")                                                                      \
    X(UNAUTHENTICATED, "not authenticated")                                                        \
    X(LIMIT, "limit reached")                                                                      \
    X(CANCELLED, "cancelled")                                                                      \
    X(BUSY, "busy")                                                                                \
    X(TIMEOUT, "timed out")                                                                        \
    X(INTERNAL, "internal error")

enum kz_err {
#define KZ_ERR_ENUM(name, msg) KZ_E_##name,
    KZ_ERRORS(KZ_ERR_ENUM)
#undef KZ_ERR_ENUM
        KZ_E__COUNT
};
#define KZ_OK KZ_E_OK

#define ERR_MSG_MAX 512

/* An error code plus the message explaining it; embed it on the stack. */
struct err_ctx {
    enum kz_err code;
    char msg[ERR_MSG_MAX];
};

/* Name ("NOT_FOUND") and default message of a code; never NULL. */
const char *err_name(enum kz_err code);
const char *err_default_msg(enum kz_err code);

/*
 * Record `code` and a printf-style message in `e` (which may be NULL) and
 * return `code`, so callers can write `return err_set(e, KZ_E_IO, "...")`.
 * A NULL or empty fmt stores the default message.
 */
enum kz_err err_set(struct err_ctx *e, enum kz_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
enum kz_err err_setv(struct err_ctx *e, enum kz_err code, const char *fmt, va_list ap);
/* Reset to KZ_OK with an empty message. */
void err_clear(struct err_ctx *e);
/* Message of `e`, or the default message of its code when none was set. */
const char *err_msg(const struct err_ctx *e);

/* ---- logging (stderr, one line per call, thread-safe) ---- */
enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF };
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parse "debug|info|warn|error|off"; returns -1 when unknown. */
int log_level_parse(const char *s);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* ---- bounded strings ---- */
/*
 * Copy `src` into `dst` of capacity `cap` (>0), always NUL-terminated.
 * Returns KZ_OK, or KZ_E_TOO_LARGE when `src` was truncated.
 */
enum kz_err str_copy(char *dst, size_t cap, const char *src);
/* snprintf that reports truncation as KZ_E_TOO_LARGE instead of hiding it. */
enum kz_err str_printf(char *dst, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Strict decimal parsers: whole string, no trailing garbage, range-checked. */
enum kz_err str_to_i64(const char *s, int64_t min, int64_t max, int64_t *out);
enum kz_err str_to_double(const char *s, double min, double max, double *out);

/* ---- time ---- */
double time_mono_s(void);   /* monotonic seconds, for durations */
int64_t time_wall_ms(void); /* Unix time in milliseconds */

/* ---- checked size arithmetic: 0 on success, -1 on overflow ---- */
static inline int size_mul(size_t a, size_t b, size_t *out)
{
    return __builtin_mul_overflow(a, b, out) ? -1 : 0;
}
static inline int size_add(size_t a, size_t b, size_t *out)
{
    return __builtin_add_overflow(a, b, out) ? -1 : 0;
}

#define KZ_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- settings: one table (config.c) of flag, KINALYZE_* variable, default, help ---- */
#include <stdio.h>

#define CONFIG_PATH_MAX 1024
/*
 * Every run-time setting of kinalyze. Filled by config_load() from, in rising
 * precedence: the defaults in the table, KINALYZE_* environment variables,
 * then command-line flags. Add a setting by adding a field here and one row to
 * the table in config.c; --help lists it automatically.
 */
struct kz_config {
    char data_dir[CONFIG_PATH_MAX];   /* --data-dir: database, media, secrets */
    char listen[256];                 /* --listen HOST:PORT (port 0 = ephemeral) */
    char models_dir[CONFIG_PATH_MAX]; /* --models-dir: pose .tflite files */
    char log_level[16];               /* --log-level debug|info|warn|error|off */
    char store_url[CONFIG_PATH_MAX];  /* --store: "" = sqlite:<data-dir>/kinalyze.db */
    int64_t workers;                  /* --workers: job threads inside serve (0 = none) */
    int64_t http_threads;             /* --http-threads: libmicrohttpd thread pool size */
    int64_t max_upload_bytes;         /* --max-upload-bytes: bigger request bodies get 413 */
    int64_t max_json_bytes;           /* --max-json-bytes: limit for JSON request bodies */
    int64_t job_lease_s;              /* --job-lease-s: a claimed job is re-claimable after this */
    int64_t job_max_attempts;         /* --job-max-attempts: then the session fails */
    int64_t shutdown_grace_s;         /* --shutdown-grace-s: wait for running requests on SIGTERM */
    char public_url[512];             /* --public-url: base of media URLs ("" = from Host) */
    int64_t media_url_ttl_s;          /* --media-url-ttl-s: lifetime of signed media URLs */
};

/*
 * Called for a flag the table does not know; `value` is the next argv entry or
 * NULL. Return the number of argv entries consumed (1 = flag only, 2 = flag +
 * value) or -1 when the flag is unknown to the caller too.
 */
typedef int (*config_unknown_fn)(void *ctx, const char *flag, const char *value);

/*
 * Fill `c` from defaults, environment (getenv, so not thread-safe against
 * setenv) and argv[1..argc-1] (argv[0] is the command name). Flags take the
 * forms `--name value` and `--name=value`. `unknown` (may be NULL) handles
 * command-specific flags. Errors: KZ_E_INVALID unknown flag or missing
 * value, KZ_E_FORMAT a value that does not parse or is out of range (the
 * message names the flag or variable). `--help` is not handled here.
 */
enum kz_err config_load(struct kz_config *c, int argc, char **argv, config_unknown_fn unknown,
                        void *ctx, struct err_ctx *e);
/* Print every setting (flag, variable, default, help) to `f`. */
void config_print_help(FILE *f);

/* ---- small JSON helpers (jansson) ---- */
#include <jansson.h>
/* Serialise compactly; caller frees with free(). NULL on out-of-memory. */
char *json_to_string(const json_t *v);
/* Member `key` of object `o` as a string, or NULL when absent or not a string. Borrowed. */
const char *json_obj_str(const json_t *o, const char *key);
/* Format wall-clock `ms` as ISO-8601 UTC with milliseconds ("2024-12-02T19:17:30.371Z"). */
void time_iso8601_ms(int64_t ms, char out[32]);

#endif
