/*
 * cmd_admin.c — `kinalyze admin create`: create an organization, its admin
 * user and an API key directly in the data directory's store (the server may
 * be running: SQLite handles the concurrent writer). Prints
 * {"organization_id", "user_id", "api_key"}; the key is not shown again.
 */
#include "api/api.h"
#include "cli/cli.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct admin_args {
    const char *email, *name, *organization, *units;
};

static int admin_flag(void *ctx, const char *flag, const char *value)
{
    struct admin_args *a = ctx;
    static const char *const names[] = {"--email", "--name", "--organization", "--units"};
    const char **slots[] = {&a->email, &a->name, &a->organization, &a->units};
    for (size_t i = 0; i < KZ_ARRAY_LEN(names); i++) {
        size_t n = strlen(names[i]);
        if (strncmp(flag, names[i], n) == 0 && flag[n] == '=') {
            *slots[i] = flag + n + 1;
            return 1;
        }
        if (strcmp(flag, names[i]) == 0 && value) {
            *slots[i] = value;
            return 2;
        }
    }
    return -1;
}

static void admin_usage(FILE *f)
{
    fprintf(f, "usage: kinalyze admin create --data-dir DIR --email E [--name N] "
               "[--organization O] [--units metric|imperial]\n\n"
               "Creates an organization with an admin user and prints\n"
               "{\"organization_id\", \"user_id\", \"api_key\"} (the key is shown once).\n\n");
    config_print_help(f);
}

int cmd_admin(int argc, char **argv)
{
    struct admin_args a = {NULL, NULL, NULL, "metric"};
    struct kz_config cfg;
    struct err_ctx e;
    struct store *store = NULL;
    struct api_bootstrap boot;
    char url[CONFIG_PATH_MAX + 32];
    int status = 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            admin_usage(stdout);
            return 0;
        }
    if (argc < 2 || strcmp(argv[1], "create") != 0) {
        admin_usage(stderr);
        return 2;
    }
    if (config_load(&cfg, argc - 1, argv + 1, admin_flag, &a, &e) != KZ_OK) {
        fprintf(stderr, "kinalyze admin: %s\n", err_msg(&e));
        return 2;
    }
    if (!a.email) {
        fprintf(stderr, "kinalyze admin create: --email is required\n");
        return 2;
    }
    if (mkdir(cfg.data_dir, 0750) != 0 && errno != EEXIST) {
        fprintf(stderr, "kinalyze admin: cannot create %s: %s\n", cfg.data_dir, strerror(errno));
        return 1;
    }
    if (cfg.store_url[0])
        str_copy(url, sizeof url, cfg.store_url);
    else
        str_printf(url, sizeof url, "sqlite:%s/kinalyze.db", cfg.data_dir);
    if (store_open(url, &store, &e) != KZ_OK ||
        api_org_bootstrap(store, a.organization ? a.organization : "My organization", a.email,
                          a.name ? a.name : "Admin", a.units, &boot, &e) != KZ_OK) {
        fprintf(stderr, "kinalyze admin: %s\n", err_msg(&e));
        status = err_name(e.code) && e.code == KZ_E_INVALID ? 2 : 1;
        goto out;
    }
    printf("{\"organization_id\": \"%s\", \"user_id\": \"%s\", \"api_key\": \"%s\"}\n",
           boot.organization_id, boot.user_id, boot.api_key);
    status = 0;
out:
    store_close(store);
    return status;
}
