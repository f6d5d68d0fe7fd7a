/*
 * cmd_worker.c — `kinalyze worker`: job workers without HTTP, for scale-out
 * (several processes, or machines sharing the store and media directory).
 * Claims jobs with leases exactly like the threads inside `serve`; SIGTERM
 * gives running jobs back to the queue and exits.
 */
#include "blob/blob.h"
#include "cli/cli.h"
#include "frame/frame.h"
#include "store/store.h"
#include "worker/worker.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

int cmd_worker(int argc, char **argv)
{
    struct kz_config cfg;
    struct err_ctx e;
    struct store *store = NULL;
    struct blob_store *blob = NULL;
    struct worker_pool *pool = NULL;
    char url[CONFIG_PATH_MAX + 32];
    sigset_t set;
    int sig = 0, status = 1, lvl;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: kinalyze worker [--data-dir DIR] [--workers N] [options]\n\n");
            config_print_help(stdout);
            return 0;
        }
    if (config_load(&cfg, argc, argv, NULL, NULL, &e) != KZ_OK) {
        fprintf(stderr, "kinalyze worker: %s\n", err_msg(&e));
        return 2;
    }
    lvl = log_level_parse(cfg.log_level);
    if (lvl < 0 || cfg.workers < 1) {
        fprintf(stderr, "kinalyze worker: needs a valid --log-level and --workers >= 1\n");
        return 2;
    }
    log_set_level((enum log_level)lvl);
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (cfg.store_url[0])
        str_copy(url, sizeof url, cfg.store_url);
    else
        str_printf(url, sizeof url, "sqlite:%s/kinalyze.db", cfg.data_dir);
    {
        struct worker_opts wo = {(int)cfg.workers, cfg.job_lease_s * 1000, cfg.models_dir};
        /* never sweep tmp/: a server may be receiving uploads there */
        if (store_open(url, &store, &e) != KZ_OK ||
            blob_open(cfg.data_dir, 0, &blob, &e) != KZ_OK ||
            worker_pool_start(store, blob, &wo, &pool, &e) != KZ_OK) {
            log_error("worker: %s", err_msg(&e));
            goto out;
        }
    }
    printf("kinalyze: worker running (%lld thread(s), data in %s)\n", (long long)cfg.workers,
           cfg.data_dir);
    fflush(stdout);
    sigwait(&set, &sig);
    log_info("worker: %s received: giving running jobs back",
             sig == SIGTERM ? "SIGTERM" : "SIGINT");
    status = 0;
out:
    worker_pool_stop(pool);
    blob_close(blob);
    store_close(store);
    frame_draw_global_cleanup(); /* fontconfig/cairo caches of the analyzed-video stage */
    return status;
}
