/*
 * cmd_serve.c — `kinalyze serve`: opens the data directory (SQLite store,
 * media directory), on first start creates an organization with an admin and
 * prints that admin's API key once, serves the API over HTTP and runs the
 * job workers, until SIGTERM/SIGINT.
 *
 * Shutdown (SIGTERM): stop accepting connections, cancel running jobs and
 * give them back to the queue (queued jobs stay queued), let requests in
 * flight finish (up to --shutdown-grace-s), then close everything.
 *
 * The bound address is printed as "kinalyze: listening on http://H:P" and
 * the port written to <data-dir>/server.port, so `--listen 127.0.0.1:0`
 * (any free port) is usable from scripts and tests.
 */
#include "api/api.h"
#include "blob/blob.h"
#include "cli/cli.h"
#include "frame/frame.h"
#include "http/http.h"
#include "store/store.h"
#include "worker/worker.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int serve_mkdirs(const char *path)
{
    char buf[CONFIG_PATH_MAX];
    if (str_copy(buf, sizeof buf, path) != KZ_OK)
        return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0750) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0750) != 0 && errno != EEXIST ? -1 : 0;
}

/*
 * Remove session directories under media/sessions/ that have no session row:
 * left by a crash between placing an upload and committing its rows. Only
 * directories older than ten minutes, so an upload being placed by another
 * process right now is never touched.
 */
static void serve_sweep_orphans(struct store *s, struct blob_store *b)
{
    char dir[BLOB_PATH_MAX];
    DIR *d;
    struct dirent *de;
    int n = 0;
    if (blob_path(b, "sessions", dir, NULL) != KZ_OK || !(d = opendir(dir)))
        return;
    while ((de = readdir(d)) != NULL) {
        char key[300], path[BLOB_PATH_MAX];
        struct store_session ss = {0};
        struct stat st;
        if (de->d_name[0] == '.' || str_printf(key, sizeof key, "sessions/%s", de->d_name) ||
            blob_path(b, key, path, NULL) != KZ_OK || stat(path, &st) != 0 ||
            time(NULL) - st.st_mtime < 600)
            continue;
        if (store_session_get(s, de->d_name, &ss, NULL) == KZ_E_NOT_FOUND &&
            blob_remove_prefix(b, key, NULL) == KZ_OK)
            n++;
        store_session_cleanup(&ss);
    }
    closedir(d);
    if (n)
        log_info("serve: removed %d media director%s without a session", n, n == 1 ? "y" : "ies");
}

static void serve_usage(FILE *f)
{
    fprintf(f, "usage: kinalyze serve [--data-dir DIR] [--listen HOST:PORT] [--workers N] "
               "[options]\n\n");
    config_print_help(f);
}

static int serve_write_port(const char *data_dir, int port)
{
    char path[CONFIG_PATH_MAX + 32], tmp[CONFIG_PATH_MAX + 32];
    FILE *f;
    if (str_printf(path, sizeof path, "%s/server.port", data_dir) != KZ_OK ||
        str_printf(tmp, sizeof tmp, "%s/server.port.tmp", data_dir) != KZ_OK)
        return -1;
    f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "%d\n", port);
    if (fclose(f) != 0)
        return -1;
    return rename(tmp, path);
}

int cmd_serve(int argc, char **argv)
{
    struct kz_config cfg;
    struct err_ctx e;
    struct store *store = NULL;
    struct blob_store *blob = NULL;
    struct blob_signer *signer = NULL;
    struct api *api = NULL;
    struct http_server *http = NULL;
    struct worker_pool *workers = NULL;
    char store_url[CONFIG_PATH_MAX + 32];
    char port_path[CONFIG_PATH_MAX + 32];
    int64_t orgs = 0;
    int status = 1, sig = 0, lvl;
    sigset_t set;

    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            serve_usage(stdout);
            return 0;
        }
    if (config_load(&cfg, argc, argv, NULL, NULL, &e) != KZ_OK) {
        fprintf(stderr, "kinalyze serve: %s\n", err_msg(&e));
        return 2;
    }
    lvl = log_level_parse(cfg.log_level);
    if (lvl < 0) {
        fprintf(stderr, "kinalyze serve: --log-level: unknown level '%s'\n", cfg.log_level);
        return 2;
    }
    log_set_level((enum log_level)lvl);

    /* Signals are taken by sigwait() below: block them before any thread starts. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (serve_mkdirs(cfg.data_dir) != 0) {
        log_error("cannot create data directory %s: %s", cfg.data_dir, strerror(errno));
        goto out;
    }
    if (cfg.store_url[0])
        str_copy(store_url, sizeof store_url, cfg.store_url);
    else
        str_printf(store_url, sizeof store_url, "sqlite:%s/kinalyze.db", cfg.data_dir);
    if (store_open(store_url, &store, &e) != KZ_OK ||
        blob_open(cfg.data_dir, 1, &blob, &e) != KZ_OK ||
        blob_signer_open(cfg.data_dir, &signer, &e) != KZ_OK ||
        store_org_count(store, &orgs, &e) != KZ_OK)
        goto fail;
    serve_sweep_orphans(store, blob);
    if (orgs == 0) {
        struct api_bootstrap boot;
        if (api_org_bootstrap(store, "My organization", "admin@localhost", "Admin", "metric", &boot,
                              &e) != KZ_OK)
            goto fail;
        printf("kinalyze: first start: created organization %s with admin user %s "
               "(admin@localhost)\n",
               boot.organization_id, boot.user_id);
        printf("kinalyze: admin API key (shown once, keep it safe): %s\n", boot.api_key);
        fflush(stdout);
    }
    {
        struct api_opts ao = {store,  blob,           (int)cfg.job_max_attempts,
                              signer, cfg.public_url, cfg.media_url_ttl_s};
        size_t n_routes;
        const struct http_route *routes = api_routes(&n_routes);
        struct http_server_opts ho = {cfg.listen,
                                      (int)cfg.http_threads,
                                      cfg.max_json_bytes,
                                      cfg.max_upload_bytes,
                                      routes,
                                      n_routes,
                                      NULL};
        if (api_create(&ao, &api, &e) != KZ_OK)
            goto fail;
        ho.app = api;
        if (http_server_start(&ho, &http, &e) != KZ_OK)
            goto fail;
    }
    if (cfg.workers > 0) {
        struct worker_opts wo = {(int)cfg.workers, cfg.job_lease_s * 1000, cfg.models_dir};
        if (worker_pool_start(store, blob, &wo, &workers, &e) != KZ_OK)
            goto fail;
    }
    str_printf(port_path, sizeof port_path, "%s/server.port", cfg.data_dir);
    if (serve_write_port(cfg.data_dir, http_server_port(http)) != 0)
        log_warn("cannot write %s", port_path);
    {
        char host[256];
        const char *colon = strrchr(cfg.listen, ':');
        size_t hn = colon ? (size_t)(colon - cfg.listen) : 0;
        if (hn >= sizeof host)
            hn = sizeof host - 1;
        memcpy(host, cfg.listen, hn);
        host[hn] = '\0';
        printf("kinalyze: listening on http://%s:%d (data in %s, store %s, %lld worker(s))\n",
               hn ? host : "0.0.0.0", http_server_port(http), cfg.data_dir,
               store_backend_name(store), (long long)cfg.workers);
        if (orgs == 0)
            printf("kinalyze: try: curl -H 'API-KEY: <the key above>' "
                   "http://%s:%d/user-management/organization-status/\n",
                   hn ? host : "127.0.0.1", http_server_port(http));
        fflush(stdout);
    }
    sigwait(&set, &sig);
    log_info("serve: %s received: no new connections; finishing requests in flight",
             sig == SIGTERM ? "SIGTERM" : "SIGINT");
    http_server_quiesce(http);
    worker_pool_stop(workers);
    workers = NULL;
    {
        double t0 = time_mono_s();
        while (http_server_connections(http) > 0 &&
               time_mono_s() - t0 < (double)cfg.shutdown_grace_s)
            usleep(20000);
        if (http_server_connections(http) > 0)
            log_warn("serve: %u connection(s) still open after %lld s; closing them",
                     http_server_connections(http), (long long)cfg.shutdown_grace_s);
    }
    unlink(port_path);
    status = 0;
    goto out;
fail:
    log_error("serve: %s", err_msg(&e));
out:
    worker_pool_stop(workers);
    http_server_stop(http);
    api_destroy(api);
    blob_close(blob);
    blob_signer_close(signer);
    store_close(store);
    frame_draw_global_cleanup(); /* fontconfig/cairo caches of the analyzed-video stage */
    if (status == 0)
        log_info("serve: stopped");
    return status;
}
