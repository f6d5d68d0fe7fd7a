/*
 * config.c — the one table of kinalyze's settings. Each row names a field of
 * struct kz_config, its command-line flag, its KINALYZE_* environment
 * variable, its default and a line of help. config_load() applies defaults,
 * then the environment, then flags; config_print_help() prints the table, so
 * `--help` can never drift from what is parsed.
 */
#include "core/core.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum config_type { CONFIG_STR, CONFIG_INT };

struct config_row {
    const char *flag; /* without the leading "--" */
    const char *env;
    enum config_type type;
    size_t offset; /* into struct kz_config */
    size_t cap;    /* CONFIG_STR: capacity of the char array */
    int64_t min, max;
    const char *def;
    const char *help;
};

#define STR_ROW(flag, env, field, def, help)                                                       \
    {                                                                                              \
        flag, env, CONFIG_STR, offsetof(struct kz_config, field),                                  \
            sizeof(((struct kz_config *)0)->field), 0, 0, def, help                                \
    }
#define INT_ROW(flag, env, field, lo, hi, def, help)                                               \
    {                                                                                              \
        flag, env, CONFIG_INT, offsetof(struct kz_config, field), 0, lo, hi, def, help             \
    }

static const struct config_row config_rows[] = {
    STR_ROW("data-dir", "KINALYZE_DATA_DIR", data_dir, "var",
            "directory for the database, media files and secrets (created if missing)"),
    STR_ROW("listen", "KINALYZE_LISTEN", listen, "127.0.0.1:8080",
            "HOST:PORT to serve HTTP on; port 0 picks a free port (printed and written to "
            "<data-dir>/server.port)"),
    STR_ROW("models-dir", "KINALYZE_MODELS_DIR", models_dir, "models",
            "directory holding the pose .tflite models"),
    STR_ROW("log-level", "KINALYZE_LOG_LEVEL", log_level, "info", "debug|info|warn|error|off"),
    STR_ROW("store", "KINALYZE_STORE", store_url, "",
            "store backend URL, e.g. sqlite:/path/db (empty = sqlite:<data-dir>/kinalyze.db)"),
    INT_ROW("workers", "KINALYZE_WORKERS", workers, 0, 64, "1",
            "job worker threads inside serve (0 = leave jobs to other processes)"),
    INT_ROW("http-threads", "KINALYZE_HTTP_THREADS", http_threads, 1, 256, "8",
            "HTTP thread pool size"),
    INT_ROW("max-upload-bytes", "KINALYZE_MAX_UPLOAD_BYTES", max_upload_bytes, 1024,
            INT64_C(1) << 50, "4294967296",
            "largest accepted upload request body; larger gets 413"),
    INT_ROW("max-json-bytes", "KINALYZE_MAX_JSON_BYTES", max_json_bytes, 1024, 64 << 20, "1048576",
            "largest accepted JSON request body; larger gets 413"),
    INT_ROW("job-lease-s", "KINALYZE_JOB_LEASE_S", job_lease_s, 1, 86400, "30",
            "a running job whose worker stops renewing its lease for this long is re-claimed"),
    INT_ROW("job-max-attempts", "KINALYZE_JOB_MAX_ATTEMPTS", job_max_attempts, 1, 100, "3",
            "attempts per job before its session is marked failed"),
    INT_ROW("shutdown-grace-s", "KINALYZE_SHUTDOWN_GRACE_S", shutdown_grace_s, 0, 3600, "30",
            "on SIGTERM, how long running requests may take to finish"),
    STR_ROW("public-url", "KINALYZE_PUBLIC_URL", public_url, "",
            "base URL of media links (e.g. https://kinalyze.example.org; empty = http://<Host "
            "header of the request>)"),
    INT_ROW("media-url-ttl-s", "KINALYZE_MEDIA_URL_TTL_S", media_url_ttl_s, 1, 7 * 86400, "21600",
            "lifetime of the signed video/thumbnail URLs in session documents"),
};

static enum kz_err config_set(struct kz_config *c, const struct config_row *r, const char *value,
                              const char *origin, struct err_ctx *e)
{
    char *base = (char *)c + r->offset;
    if (r->type == CONFIG_STR) {
        if (str_copy(base, r->cap, value) != KZ_OK)
            return err_set(e, KZ_E_FORMAT, "%s: value too long (max %zu bytes)", origin,
                           r->cap - 1);
        return KZ_OK;
    }
    int64_t v;
    if (str_to_i64(value, r->min, r->max, &v) != KZ_OK)
        return err_set(e, KZ_E_FORMAT, "%s: '%s' is not an integer in [%lld, %lld]", origin, value,
                       (long long)r->min, (long long)r->max);
    memcpy(base, &v, sizeof v);
    return KZ_OK;
}

static const struct config_row *config_find(const char *flag, size_t len)
{
    for (size_t i = 0; i < KZ_ARRAY_LEN(config_rows); i++)
        if (strlen(config_rows[i].flag) == len && strncmp(config_rows[i].flag, flag, len) == 0)
            return &config_rows[i];
    return NULL;
}

enum kz_err config_load(struct kz_config *c, int argc, char **argv, config_unknown_fn unknown,
                        void *ctx, struct err_ctx *e)
{
    enum kz_err rc;
    char origin[128];
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < KZ_ARRAY_LEN(config_rows); i++) {
        const struct config_row *r = &config_rows[i];
        const char *env = getenv(r->env);
        if ((rc = config_set(c, r, r->def, "default", e)) != KZ_OK)
            return rc;
        if (env && (rc = config_set(c, r, env, r->env, e)) != KZ_OK)
            return rc;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *eq;
        const char *value;
        const struct config_row *r;
        if (strncmp(a, "--", 2) != 0)
            return err_set(e, KZ_E_INVALID, "unexpected argument '%s'", a);
        eq = strchr(a + 2, '=');
        r = config_find(a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
        if (!r) {
            int used = unknown ? unknown(ctx, a, i + 1 < argc ? argv[i + 1] : NULL) : -1;
            if (used < 1)
                return err_set(e, KZ_E_INVALID, "unknown option '%s' (see --help)", a);
            i += used - 1;
            continue;
        }
        if (eq) {
            value = eq + 1;
        } else {
            if (i + 1 >= argc)
                return err_set(e, KZ_E_INVALID, "option --%s needs a value", r->flag);
            value = argv[++i];
        }
        str_printf(origin, sizeof origin, "--%s", r->flag);
        if ((rc = config_set(c, r, value, origin, e)) != KZ_OK)
            return rc;
    }
    return KZ_OK;
}

void config_print_help(FILE *f)
{
    fprintf(f, "settings (flag / environment variable, default):\n");
    for (size_t i = 0; i < KZ_ARRAY_LEN(config_rows); i++) {
        const struct config_row *r = &config_rows[i];
        fprintf(f, "  --%-18s %-28s default: %s\n      %s\n", r->flag, r->env,
                r->def[0] ? r->def : "(empty)", r->help);
    }
}
