/*
 * blob.c — the local-directory blob store: temp files in <root>/tmp, placed
 * files in <root>/media/<key>, moved with fsync + rename (atomic on POSIX
 * file systems when tmp/ and media/ share one file system, which they do:
 * both live under the same root).
 */
#include "blob/blob.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct blob_store {
    char media_dir[BLOB_PATH_MAX];
    char tmp_dir[BLOB_PATH_MAX];
};

static enum kz_err blob_mkdirs(const char *path, struct err_ctx *e)
{
    char buf[BLOB_PATH_MAX];
    if (str_copy(buf, sizeof buf, path) != KZ_OK)
        return err_set(e, KZ_E_INVALID, "path too long: %s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0750) != 0 && errno != EEXIST)
            return err_set(e, KZ_E_IO, "mkdir %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0750) != 0 && errno != EEXIST)
        return err_set(e, KZ_E_IO, "mkdir %s: %s", buf, strerror(errno));
    return KZ_OK;
}

int blob_key_valid(const char *key)
{
    size_t seg = 0;
    if (!key || !*key || strlen(key) > 512)
        return 0;
    for (const char *p = key;; p++) {
        if (*p == '/' || *p == '\0') {
            /* no empty, "." or ".." segments */
            if (seg == 0 || (seg == 1 && p[-1] == '.') ||
                (seg == 2 && p[-1] == '.' && p[-2] == '.'))
                return 0;
            if (*p == '\0')
                return 1;
            seg = 0;
            continue;
        }
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return 0;
        seg++;
    }
}

static void blob_sweep(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char p[BLOB_PATH_MAX];
    int n = 0;
    if (!d)
        return;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (str_printf(p, sizeof p, "%s/%s", dir, de->d_name) == KZ_OK && unlink(p) == 0)
            n++;
    }
    closedir(d);
    if (n)
        log_info("blob: removed %d unfinished temporary file(s) from %s", n, dir);
}

enum kz_err blob_open(const char *root, int sweep_tmp, struct blob_store **out, struct err_ctx *e)
{
    struct blob_store *b = calloc(1, sizeof *b);
    enum kz_err rc;
    *out = NULL;
    if (!b)
        return err_set(e, KZ_E_NOMEM, NULL);
    if (str_printf(b->media_dir, sizeof b->media_dir, "%s/media", root) != KZ_OK ||
        str_printf(b->tmp_dir, sizeof b->tmp_dir, "%s/tmp", root) != KZ_OK) {
        rc = err_set(e, KZ_E_INVALID, "blob root too long");
        goto fail;
    }
    if ((rc = blob_mkdirs(b->media_dir, e)) != KZ_OK || (rc = blob_mkdirs(b->tmp_dir, e)) != KZ_OK)
        goto fail;
    if (sweep_tmp)
        blob_sweep(b->tmp_dir);
    *out = b;
    return KZ_OK;
fail:
    free(b);
    return rc;
}

void blob_close(struct blob_store *b)
{
    free(b);
}

enum kz_err blob_tmp_create(struct blob_store *b, const char *suffix, int *fd,
                            char path[BLOB_PATH_MAX], struct err_ctx *e)
{
    int slen = suffix ? (int)strlen(suffix) : 0;
    *fd = -1;
    if (str_printf(path, BLOB_PATH_MAX, "%s/up-XXXXXX%s", b->tmp_dir, suffix ? suffix : "") !=
        KZ_OK)
        return err_set(e, KZ_E_INVALID, "temporary path too long");
    *fd = mkstemps(path, slen);
    if (*fd < 0)
        return err_set(e, KZ_E_IO, "cannot create temporary file in %s: %s", b->tmp_dir,
                       strerror(errno));
    return KZ_OK;
}

enum kz_err blob_path(const struct blob_store *b, const char *key, char path[BLOB_PATH_MAX],
                      struct err_ctx *e)
{
    if (!blob_key_valid(key))
        return err_set(e, KZ_E_INVALID, "invalid blob key");
    if (str_printf(path, BLOB_PATH_MAX, "%s/%s", b->media_dir, key) != KZ_OK)
        return err_set(e, KZ_E_INVALID, "blob path too long");
    return KZ_OK;
}

static void blob_fsync_path(const char *path, int dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

enum kz_err blob_place(struct blob_store *b, const char *tmp_path, const char *key,
                       struct err_ctx *e)
{
    char dst[BLOB_PATH_MAX];
    char *slash;
    enum kz_err rc = blob_path(b, key, dst, e);
    if (rc != KZ_OK)
        return rc;
    slash = strrchr(dst, '/');
    *slash = '\0';
    rc = blob_mkdirs(dst, e);
    *slash = '/';
    if (rc != KZ_OK)
        return rc;
    blob_fsync_path(tmp_path, 0);
    if (rename(tmp_path, dst) != 0)
        return err_set(e, KZ_E_IO, "rename %s -> %s: %s", tmp_path, dst, strerror(errno));
    *slash = '\0';
    blob_fsync_path(dst, 1);
    return KZ_OK;
}

enum kz_err blob_size(const struct blob_store *b, const char *key, int64_t *size, struct err_ctx *e)
{
    char p[BLOB_PATH_MAX];
    struct stat st;
    enum kz_err rc = blob_path(b, key, p, e);
    if (rc != KZ_OK)
        return rc;
    if (stat(p, &st) != 0)
        return err_set(e, errno == ENOENT ? KZ_E_NOT_FOUND : KZ_E_IO, "%s: %s", key,
                       strerror(errno));
    *size = (int64_t)st.st_size;
    return KZ_OK;
}

enum kz_err blob_remove(struct blob_store *b, const char *key, struct err_ctx *e)
{
    char p[BLOB_PATH_MAX];
    enum kz_err rc = blob_path(b, key, p, e);
    if (rc != KZ_OK)
        return rc;
    if (unlink(p) != 0 && errno != ENOENT)
        return err_set(e, KZ_E_IO, "unlink %s: %s", p, strerror(errno));
    return KZ_OK;
}

static enum kz_err blob_rmtree(const char *path, int depth, struct err_ctx *e)
{
    DIR *d;
    struct dirent *de;
    char p[BLOB_PATH_MAX];
    enum kz_err rc = KZ_OK;
    if (depth > 16)
        return err_set(e, KZ_E_INVALID, "directory tree too deep");
    d = opendir(path);
    if (!d)
        return errno == ENOENT ? KZ_OK : err_set(e, KZ_E_IO, "%s: %s", path, strerror(errno));
    while (rc == KZ_OK && (de = readdir(d)) != NULL) {
        struct stat st;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (str_printf(p, sizeof p, "%s/%s", path, de->d_name) != KZ_OK) {
            rc = err_set(e, KZ_E_INVALID, "path too long");
            break;
        }
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rc = blob_rmtree(p, depth + 1, e);
        else if (unlink(p) != 0 && errno != ENOENT)
            rc = err_set(e, KZ_E_IO, "unlink %s: %s", p, strerror(errno));
    }
    closedir(d);
    if (rc == KZ_OK && rmdir(path) != 0 && errno != ENOENT)
        rc = err_set(e, KZ_E_IO, "rmdir %s: %s", path, strerror(errno));
    return rc;
}

enum kz_err blob_remove_prefix(struct blob_store *b, const char *prefix, struct err_ctx *e)
{
    char p[BLOB_PATH_MAX];
    enum kz_err rc = blob_path(b, prefix, p, e);
    if (rc != KZ_OK)
        return rc;
    return blob_rmtree(p, 0, e);
}

enum kz_err blob_session_key(const char *session_id, const char *file, char *out, size_t cap,
                             struct err_ctx *e)
{
    enum kz_err rc;
    if (!session_id || !out || cap == 0)
        return err_set(e, KZ_E_INVALID, "blob_session_key: NULL argument");
    rc = file ? str_printf(out, cap, "sessions/%s/%s", session_id, file)
              : str_printf(out, cap, "sessions/%s", session_id);
    if (rc != KZ_OK || !blob_key_valid(out)) {
        out[0] = '\0';
        return err_set(e, KZ_E_INVALID, "invalid session file key for session '%s'", session_id);
    }
    return KZ_OK;
}
