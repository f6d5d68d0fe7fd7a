/*
 * store_sqlite.c — the default store backend: one SQLite file in WAL mode,
 * shared by a small pool of connections so readers run in parallel while
 * writers queue on SQLite's own lock (busy timeout). The only file that sees
 * sqlite3_* types.
 *
 * Schema (migrations below, version in PRAGMA user_version):
 *   organizations(id, name, unit_system, payment_type, created_at_ms)
 *   users(id, org_id→organizations, role, email UNIQUE per org, display_name,
 *         phone, age, weight_kg, height_cm, ycom, leg_length_m, shoe_size,
 *         brand, shoe_model, gender, created_at_ms)
 *   api_keys(id, org_id, user_id→users ON DELETE CASCADE, title, domain,
 *            description NULL, hash BLOB(32), is_active, created_at_ms)
 *   sessions(id, org_id, user_id, activity, title, exercise, incline_deg NULL,
 *            barbell_mass NULL, barbell_unit, body_joint_angles, video_key,
 *            video_name, thumbnail_key, status, progress, stage,
 *            failure_reason, media_json NULL, results_json NULL,
 *            created_at_ms, updated_at_ms)
 *   jobs(id INTEGER, session_id→sessions ON DELETE CASCADE, kind,
 *        state queued|running|done|failed, attempts, max_attempts,
 *        lease_owner, lease_until_ms, last_error, created_at_ms, updated_at_ms)
 *
 * Job leases: a worker owns a running job while lease_until_ms is in the
 * future and lease_owner is its name; every write about the job checks both,
 * so a worker that lost its lease (it stalled, another took over) cannot
 * overwrite the new owner's progress.
 */
#include "store/store_int.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define SQ_POOL 8
#define SQ_BUSY_MS 15000

struct store_backend {
    sqlite3 *conns[SQ_POOL];
    int free_idx[SQ_POOL];
    int n_free;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* ---- migrations: append only; each runs once, in order, in a transaction ---- */
static const char *const sq_migrations[] = {
    "CREATE TABLE organizations("
    " id TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " unit_system TEXT NOT NULL DEFAULT 'metric' CHECK(unit_system IN ('metric','imperial')),"
    " payment_type TEXT NOT NULL DEFAULT 'Enterprise', created_at_ms INTEGER NOT NULL);"
    "CREATE TABLE users("
    " id TEXT PRIMARY KEY,"
    " org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,"
    " role TEXT NOT NULL CHECK(role IN ('admin','sub_admin','user')),"
    " email TEXT NOT NULL, display_name TEXT NOT NULL, phone TEXT NOT NULL DEFAULT '',"
    " age TEXT NOT NULL DEFAULT '', weight_kg REAL NOT NULL DEFAULT 0,"
    " height_cm REAL NOT NULL DEFAULT 0, ycom REAL NOT NULL DEFAULT 0,"
    " leg_length_m REAL NOT NULL DEFAULT 0, shoe_size TEXT NOT NULL DEFAULT '',"
    " brand TEXT NOT NULL DEFAULT '', shoe_model TEXT NOT NULL DEFAULT '',"
    " gender TEXT NOT NULL DEFAULT '', created_at_ms INTEGER NOT NULL,"
    " UNIQUE(org_id, email));"
    "CREATE INDEX users_org ON users(org_id, created_at_ms, id);"
    "CREATE TABLE api_keys("
    " id TEXT PRIMARY KEY,"
    " org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,"
    " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " title TEXT NOT NULL, domain TEXT NOT NULL, description TEXT,"
    " hash BLOB NOT NULL, is_active INTEGER NOT NULL, created_at_ms INTEGER NOT NULL);"
    "CREATE INDEX api_keys_org ON api_keys(org_id, created_at_ms);"
    "CREATE INDEX api_keys_user ON api_keys(user_id);"
    "CREATE TABLE sessions("
    " id TEXT PRIMARY KEY, org_id TEXT NOT NULL, user_id TEXT NOT NULL,"
    " activity TEXT NOT NULL, title TEXT NOT NULL, exercise TEXT NOT NULL DEFAULT '',"
    " incline_deg REAL, barbell_mass REAL, barbell_unit TEXT NOT NULL DEFAULT '',"
    " body_joint_angles TEXT NOT NULL DEFAULT 'all', video_key TEXT NOT NULL,"
    " video_name TEXT NOT NULL DEFAULT '', thumbnail_key TEXT NOT NULL DEFAULT '',"
    " status TEXT NOT NULL, progress INTEGER NOT NULL DEFAULT 0,"
    " stage TEXT NOT NULL DEFAULT '', failure_reason TEXT NOT NULL DEFAULT '',"
    " media_json TEXT, results_json TEXT,"
    " created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL);"
    "CREATE INDEX sessions_org ON sessions(org_id, created_at_ms);"
    "CREATE INDEX sessions_user ON sessions(user_id, created_at_ms);"
    "CREATE TABLE jobs("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    " kind TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK(state IN ('queued','running','done','failed')),"
    " attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL,"
    " lease_owner TEXT NOT NULL DEFAULT '', lease_until_ms INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT NOT NULL DEFAULT '',"
    " created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL);"
    "CREATE INDEX jobs_state ON jobs(state, id);"
    "CREATE INDEX jobs_session ON jobs(session_id);",
};

/* ---- errors ---- */
static enum kz_err sq_err(sqlite3 *db, int rc, struct err_ctx *e, const char *what)
{
    int base = rc & 0xff;
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if (base == SQLITE_BUSY || base == SQLITE_LOCKED)
        return err_set(e, KZ_E_BUSY, "%s: database busy: %s", what, msg);
    if (base == SQLITE_CONSTRAINT)
        return err_set(e, KZ_E_CONFLICT, "%s: %s", what, msg);
    if (base == SQLITE_NOMEM)
        return err_set(e, KZ_E_NOMEM, "%s: %s", what, msg);
    return err_set(e, KZ_E_IO, "%s: sqlite: %s", what, msg);
}

/* ---- connection pool ---- */
static sqlite3 *sq_acquire(struct store_backend *b)
{
    sqlite3 *db;
    pthread_mutex_lock(&b->mu);
    while (b->n_free == 0)
        pthread_cond_wait(&b->cv, &b->mu);
    db = b->conns[b->free_idx[--b->n_free]];
    pthread_mutex_unlock(&b->mu);
    return db;
}

static void sq_release(struct store_backend *b, sqlite3 *db)
{
    pthread_mutex_lock(&b->mu);
    for (int i = 0; i < SQ_POOL; i++)
        if (b->conns[i] == db)
            b->free_idx[b->n_free++] = i;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

/* ---- statement helpers ---- */
/*
 * Prepare `sql` and bind parameters described by `fmt`, one char each:
 * 't' const char * (text), 'T' const char * or NULL, 'i' int64_t,
 * 'n' int (as integer), 'd' double, 'D' int has + double (NULL when !has),
 * 'b' const void * + size_t (blob).
 */
static enum kz_err sq_prepare(sqlite3 *db, sqlite3_stmt **st, struct err_ctx *e, const char *sql,
                              const char *fmt, ...)
{
    va_list ap;
    int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
    int idx = 1;
    if (rc != SQLITE_OK)
        return sq_err(db, rc, e, "prepare");
    va_start(ap, fmt);
    for (const char *f = fmt; f && *f && rc == SQLITE_OK; f++, idx++) {
        switch (*f) {
        case 't':
        case 'T': {
            const char *v = va_arg(ap, const char *);
            rc = v ? sqlite3_bind_text(*st, idx, v, -1, SQLITE_TRANSIENT)
                   : sqlite3_bind_null(*st, idx);
            break;
        }
        case 'i':
            rc = sqlite3_bind_int64(*st, idx, va_arg(ap, int64_t));
            break;
        case 'n':
            rc = sqlite3_bind_int(*st, idx, va_arg(ap, int));
            break;
        case 'd':
            rc = sqlite3_bind_double(*st, idx, va_arg(ap, double));
            break;
        case 'D': {
            int has = va_arg(ap, int);
            double v = va_arg(ap, double);
            rc = has ? sqlite3_bind_double(*st, idx, v) : sqlite3_bind_null(*st, idx);
            break;
        }
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            rc = sqlite3_bind_blob(*st, idx, p, (int)n, SQLITE_TRANSIENT);
            break;
        }
        default:
            rc = SQLITE_MISUSE;
        }
    }
    va_end(ap);
    if (rc != SQLITE_OK) {
        enum kz_err r = sq_err(db, rc, e, "bind");
        sqlite3_finalize(*st);
        *st = NULL;
        return r;
    }
    return KZ_OK;
}

/* Step a statement that returns no rows; finalizes it. */
static enum kz_err sq_done(sqlite3 *db, sqlite3_stmt *st, struct err_ctx *e, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sq_err(db, rc, e, what);
    return KZ_OK;
}

static enum kz_err sq_exec(sqlite3 *db, const char *sql, struct err_ctx *e)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        enum kz_err r = sq_err(db, rc, e, sql);
        sqlite3_free(msg);
        return r;
    }
    return KZ_OK;
}

static void sq_text(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    str_copy(dst, cap, t ? (const char *)t : "");
}

static char *sq_text_dup(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? strdup((const char *)t) : NULL;
}

static enum kz_err sq_begin(sqlite3 *db, struct err_ctx *e)
{
    return sq_exec(db, "BEGIN IMMEDIATE", e);
}

static enum kz_err sq_end(sqlite3 *db, enum kz_err rc, struct err_ctx *e)
{
    if (rc == KZ_OK)
        return sq_exec(db, "COMMIT", e);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* ---- open / close ---- */
static enum kz_err sq_migrate(sqlite3 *db, struct err_ctx *e)
{
    sqlite3_stmt *st = NULL;
    int version;
    enum kz_err rc = sq_begin(db, e);
    if (rc != KZ_OK)
        return rc;
    if ((rc = sq_prepare(db, &st, e, "PRAGMA user_version", NULL)) != KZ_OK)
        return sq_end(db, rc, e);
    version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (version > (int)KZ_ARRAY_LEN(sq_migrations))
        return sq_end(db,
                      err_set(e, KZ_E_UNSUPPORTED,
                              "database schema version %d is newer than this kinalyze (%zu)",
                              version, KZ_ARRAY_LEN(sq_migrations)),
                      e);
    for (int v = version; v < (int)KZ_ARRAY_LEN(sq_migrations) && rc == KZ_OK; v++) {
        char pragma[64];
        rc = sq_exec(db, sq_migrations[v], e);
        str_printf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
        if (rc == KZ_OK)
            rc = sq_exec(db, pragma, e);
        if (rc == KZ_OK)
            log_info("store: migrated schema to version %d", v + 1);
    }
    return sq_end(db, rc, e);
}

static void sq_close(struct store_backend *b)
{
    if (!b)
        return;
    for (int i = 0; i < SQ_POOL; i++)
        sqlite3_close(b->conns[i]);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    free(b);
}

static enum kz_err sq_open(const char *location, struct store_backend **out, struct err_ctx *e)
{
    struct store_backend *b = calloc(1, sizeof *b);
    enum kz_err rc = KZ_OK;
    *out = NULL;
    if (!b)
        return err_set(e, KZ_E_NOMEM, NULL);
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    for (int i = 0; i < SQ_POOL; i++) {
        int src =
            sqlite3_open_v2(location, &b->conns[i],
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
        if (src != SQLITE_OK) {
            rc = err_set(e, KZ_E_IO, "cannot open database %s: %s", location,
                         b->conns[i] ? sqlite3_errmsg(b->conns[i]) : sqlite3_errstr(src));
            goto fail;
        }
        sqlite3_busy_timeout(b->conns[i], SQ_BUSY_MS);
        if ((rc = sq_exec(b->conns[i],
                          "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                          " PRAGMA foreign_keys=ON;",
                          e)) != KZ_OK)
            goto fail;
        if (i == 0 && (rc = sq_migrate(b->conns[0], e)) != KZ_OK)
            goto fail;
        b->free_idx[b->n_free++] = i;
    }
    *out = b;
    return KZ_OK;
fail:
    sq_close(b);
    return rc;
}

/* ---- organizations ---- */
static enum kz_err sq_org_insert(struct store_backend *b, const struct store_org *o,
                                 struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    enum kz_err rc =
        sq_prepare(db, &st, e,
                   "INSERT INTO organizations(id,name,unit_system,payment_type,"
                   "created_at_ms) VALUES(?,?,?,?,?)",
                   "tttti", o->id, o->name, o->unit_system, o->payment_type, o->created_at_ms);
    if (rc == KZ_OK)
        rc = sq_done(db, st, e, "insert organization");
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_org_get(struct store_backend *b, const char *id, struct store_org *out,
                              struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    enum kz_err rc = sq_prepare(db, &st, e,
                                "SELECT id,name,unit_system,payment_type,created_at_ms"
                                " FROM organizations WHERE id=?",
                                "t", id);
    if (rc == KZ_OK) {
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW) {
            memset(out, 0, sizeof *out);
            sq_text(st, 0, out->id, sizeof out->id);
            sq_text(st, 1, out->name, sizeof out->name);
            sq_text(st, 2, out->unit_system, sizeof out->unit_system);
            sq_text(st, 3, out->payment_type, sizeof out->payment_type);
            out->created_at_ms = sqlite3_column_int64(st, 4);
        } else if (s == SQLITE_DONE) {
            rc = err_set(e, KZ_E_NOT_FOUND, "organization not found");
        } else {
            rc = sq_err(db, s, e, "get organization");
        }
        sqlite3_finalize(st);
    }
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_count(struct store_backend *b, const char *sql, const char *fmt,
                            const char *a1, const char *a2, int64_t *out, struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    enum kz_err rc = sq_prepare(db, &st, e, sql, fmt, a1, a2);
    if (rc == KZ_OK) {
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW)
            *out = sqlite3_column_int64(st, 0);
        else
            rc = sq_err(db, s, e, "count");
        sqlite3_finalize(st);
    }
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_org_count(struct store_backend *b, int64_t *out, struct err_ctx *e)
{
    return sq_count(b, "SELECT count(*) FROM organizations", "", NULL, NULL, out, e);
}

/* ---- users ---- */
#define USER_COLS                                                                                  \
    "id,org_id,role,email,display_name,phone,age,weight_kg,height_cm,ycom,leg_length_m,"           \
    "shoe_size,brand,shoe_model,gender,created_at_ms"

static void sq_user_row(sqlite3_stmt *st, struct store_user *u)
{
    memset(u, 0, sizeof *u);
    sq_text(st, 0, u->id, sizeof u->id);
    sq_text(st, 1, u->org_id, sizeof u->org_id);
    sq_text(st, 2, u->role, sizeof u->role);
    sq_text(st, 3, u->email, sizeof u->email);
    sq_text(st, 4, u->display_name, sizeof u->display_name);
    sq_text(st, 5, u->phone, sizeof u->phone);
    sq_text(st, 6, u->age, sizeof u->age);
    u->weight_kg = sqlite3_column_double(st, 7);
    u->height_cm = sqlite3_column_double(st, 8);
    u->ycom = sqlite3_column_double(st, 9);
    u->leg_length_m = sqlite3_column_double(st, 10);
    sq_text(st, 11, u->shoe_size, sizeof u->shoe_size);
    sq_text(st, 12, u->brand, sizeof u->brand);
    sq_text(st, 13, u->shoe_model, sizeof u->shoe_model);
    sq_text(st, 14, u->gender, sizeof u->gender);
    u->created_at_ms = sqlite3_column_int64(st, 15);
}

static enum kz_err sq_user_insert(struct store_backend *b, const struct store_user *u,
                                  struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    enum kz_err rc = sq_prepare(
        db, &st, e, "INSERT INTO users(" USER_COLS ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        "tttttttddddtttti", u->id, u->org_id, u->role, u->email, u->display_name, u->phone, u->age,
        u->weight_kg, u->height_cm, u->ycom, u->leg_length_m, u->shoe_size, u->brand, u->shoe_model,
        u->gender, u->created_at_ms);
    if (rc == KZ_OK)
        rc = sq_done(db, st, e, "insert user");
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_user_get(struct store_backend *b, const char *id, struct store_user *out,
                               struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    enum kz_err rc = sq_prepare(db, &st, e, "SELECT " USER_COLS " FROM users WHERE id=?", "t", id);
    if (rc == KZ_OK) {
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW)
            sq_user_row(st, out);
        else if (s == SQLITE_DONE)
            rc = err_set(e, KZ_E_NOT_FOUND, "user not found");
        else
            rc = sq_err(db, s, e, "get user");
        sqlite3_finalize(st);
    }
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_user_update(struct store_backend *b, const struct store_user *u,
                                  struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    enum kz_err rc = sq_prepare(
        db, &st, e,
        "UPDATE users SET role=?,email=?,display_name=?,phone=?,age=?,weight_kg=?,height_cm=?,"
        "ycom=?,leg_length_m=?,shoe_size=?,brand=?,shoe_model=?,gender=? WHERE id=?",
        "tttttddddtttt"
        "t",
        u->role, u->email, u->display_name, u->phone, u->age, u->weight_kg, u->height_cm, u->ycom,
        u->leg_length_m, u->shoe_size, u->brand, u->shoe_model, u->gender, u->id);
    if (rc == KZ_OK)
        rc = sq_done(db, st, e, "update user");
    if (rc == KZ_OK && sqlite3_changes(db) == 0)
        rc = err_set(e, KZ_E_NOT_FOUND, "user not found");
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_user_delete(struct store_backend *b, const char *org_id, const char *id,
                                  struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    enum kz_err rc =
        sq_prepare(db, &st, e, "DELETE FROM users WHERE id=? AND org_id=?", "tt", id, org_id);
    if (rc == KZ_OK)
        rc = sq_done(db, st, e, "delete user");
    if (rc == KZ_OK && sqlite3_changes(db) == 0)
        rc = err_set(e, KZ_E_NOT_FOUND, "user not found");
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_user_list(struct store_backend *b, const char *org_id, const char *role,
                                store_user_fn fn, void *ctx, struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    enum kz_err rc = sq_prepare(db, &st, e,
                                "SELECT " USER_COLS " FROM users WHERE org_id=?"
                                " AND (?2 IS NULL OR role=?2) ORDER BY created_at_ms, id",
                                "tT", org_id, role);
    if (rc == KZ_OK) {
        int s;
        struct store_user u;
        while ((s = sqlite3_step(st)) == SQLITE_ROW) {
            sq_user_row(st, &u);
            if (fn(ctx, &u))
                break;
        }
        if (s != SQLITE_ROW && s != SQLITE_DONE)
            rc = sq_err(db, s, e, "list users");
        sqlite3_finalize(st);
    }
    sq_release(b, db);
    return rc;
}

/* ---- API keys ---- */
#define KEY_COLS "id,org_id,user_id,title,domain,description,hash,is_active,created_at_ms"

static void sq_key_row(sqlite3_stmt *st, struct store_key *k)
{
    const void *h;
    memset(k, 0, sizeof *k);
    sq_text(st, 0, k->id, sizeof k->id);
    sq_text(st, 1, k->org_id, sizeof k->org_id);
    sq_text(st, 2, k->user_id, sizeof k->user_id);
    sq_text(st, 3, k->title, sizeof k->title);
    sq_text(st, 4, k->domain, sizeof k->domain);
    k->has_description = sqlite3_column_type(st, 5) != SQLITE_NULL;
    sq_text(st, 5, k->description, sizeof k->description);
    h = sqlite3_column_blob(st, 6);
    if (h && sqlite3_column_bytes(st, 6) == STORE_KEY_HASH_BYTES)
        memcpy(k->hash, h, STORE_KEY_HASH_BYTES);
    k->is_active = sqlite3_column_int(st, 7);
    k->created_at_ms = sqlite3_column_int64(st, 8);
}

static enum kz_err sq_key_insert(struct store_backend *b, const struct store_key *k,
                                 struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    enum kz_err rc =
        sq_prepare(db, &st, e, "INSERT INTO api_keys(" KEY_COLS ") VALUES(?,?,?,?,?,?,?,?,?)",
                   "tttttTbni", k->id, k->org_id, k->user_id, k->title, k->domain,
                   k->has_description ? k->description : NULL, (const void *)k->hash,
                   (size_t)STORE_KEY_HASH_BYTES, k->is_active, k->created_at_ms);
    if (rc == KZ_OK)
        rc = sq_done(db, st, e, "insert key");
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_key_get(struct store_backend *b, const char *id, struct store_key *out,
                              struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    enum kz_err rc =
        sq_prepare(db, &st, e, "SELECT " KEY_COLS " FROM api_keys WHERE id=?", "t", id);
    if (rc == KZ_OK) {
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW)
            sq_key_row(st, out);
        else if (s == SQLITE_DONE)
            rc = err_set(e, KZ_E_NOT_FOUND, "key not found");
        else
            rc = sq_err(db, s, e, "get key");
        sqlite3_finalize(st);
    }
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_key_update(struct store_backend *b, const struct store_key *k,
                                 struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    enum kz_err rc = sq_prepare(db, &st, e,
                                "UPDATE api_keys SET title=?,domain=?,description=?,is_active=?"
                                " WHERE id=?",
                                "ttTnt", k->title, k->domain,
                                k->has_description ? k->description : NULL, k->is_active, k->id);
    if (rc == KZ_OK)
        rc = sq_done(db, st, e, "update key");
    if (rc == KZ_OK && sqlite3_changes(db) == 0)
        rc = err_set(e, KZ_E_NOT_FOUND, "key not found");
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_key_list(struct store_backend *b, const char *org_id, store_key_fn fn,
                               void *ctx, struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    enum kz_err rc = sq_prepare(db, &st, e,
                                "SELECT " KEY_COLS " FROM api_keys WHERE org_id=?"
                                " ORDER BY created_at_ms, id",
                                "t", org_id);
    if (rc == KZ_OK) {
        int s;
        struct store_key k;
        while ((s = sqlite3_step(st)) == SQLITE_ROW) {
            sq_key_row(st, &k);
            if (fn(ctx, &k))
                break;
        }
        if (s != SQLITE_ROW && s != SQLITE_DONE)
            rc = sq_err(db, s, e, "list keys");
        sqlite3_finalize(st);
    }
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_key_count(struct store_backend *b, const char *user_id, int64_t *out,
                                struct err_ctx *e)
{
    return sq_count(b, "SELECT count(*) FROM api_keys WHERE user_id=?", "t", user_id, NULL, out, e);
}

/* ---- sessions ---- */
#define SESSION_COLS                                                                               \
    "s.id,s.org_id,s.user_id,s.activity,s.title,s.exercise,s.incline_deg,s.barbell_mass,"          \
    "s.barbell_unit,s.body_joint_angles,s.video_key,s.video_name,s.thumbnail_key,s.status,"        \
    "s.progress,s.stage,s.failure_reason,s.media_json,s.results_json,s.created_at_ms,"             \
    "s.updated_at_ms"

/* Columns 0..16, 19, 20 of SESSION_COLS into *out (zeroed first; heap members NULL). */
static void sq_session_row(sqlite3_stmt *st, struct store_session *out)
{
    memset(out, 0, sizeof *out);
    sq_text(st, 0, out->id, sizeof out->id);
    sq_text(st, 1, out->org_id, sizeof out->org_id);
    sq_text(st, 2, out->user_id, sizeof out->user_id);
    sq_text(st, 3, out->activity, sizeof out->activity);
    sq_text(st, 4, out->title, sizeof out->title);
    sq_text(st, 5, out->exercise, sizeof out->exercise);
    out->has_incline = sqlite3_column_type(st, 6) != SQLITE_NULL;
    out->incline_deg = sqlite3_column_double(st, 6);
    out->has_barbell = sqlite3_column_type(st, 7) != SQLITE_NULL;
    out->barbell_mass = sqlite3_column_double(st, 7);
    sq_text(st, 8, out->barbell_unit, sizeof out->barbell_unit);
    sq_text(st, 9, out->body_joint_angles, sizeof out->body_joint_angles);
    sq_text(st, 10, out->video_key, sizeof out->video_key);
    sq_text(st, 11, out->video_name, sizeof out->video_name);
    sq_text(st, 12, out->thumbnail_key, sizeof out->thumbnail_key);
    sq_text(st, 13, out->status, sizeof out->status);
    out->progress = sqlite3_column_int(st, 14);
    sq_text(st, 15, out->stage, sizeof out->stage);
    sq_text(st, 16, out->failure_reason, sizeof out->failure_reason);
    out->created_at_ms = sqlite3_column_int64(st, 19);
    out->updated_at_ms = sqlite3_column_int64(st, 20);
}

static enum kz_err sq_session_create(struct store_backend *b, const struct store_session *ss,
                                     int max_attempts, struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st = NULL;
    enum kz_err rc = sq_begin(db, e);
    if (rc != KZ_OK)
        goto out;
    rc = sq_prepare(db, &st, e,
                    "INSERT INTO sessions(id,org_id,user_id,activity,title,exercise,incline_deg,"
                    "barbell_mass,barbell_unit,body_joint_angles,video_key,video_name,status,"
                    "progress,created_at_ms,updated_at_ms)"
                    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,'queued',0,?,?)",
                    "ttttttDDttttii", ss->id, ss->org_id, ss->user_id, ss->activity, ss->title,
                    ss->exercise, ss->has_incline, ss->incline_deg, ss->has_barbell,
                    ss->barbell_mass, ss->barbell_unit, ss->body_joint_angles, ss->video_key,
                    ss->video_name, ss->created_at_ms, ss->created_at_ms);
    if (rc == KZ_OK)
        rc = sq_done(db, st, e, "insert session");
    if (rc == KZ_OK)
        rc = sq_prepare(db, &st, e,
                        "INSERT INTO jobs(session_id,kind,state,max_attempts,created_at_ms,"
                        "updated_at_ms) VALUES(?,'analyze','queued',?,?,?)",
                        "tnii", ss->id, max_attempts, ss->created_at_ms, ss->created_at_ms);
    if (rc == KZ_OK)
        rc = sq_done(db, st, e, "insert job");
    rc = sq_end(db, rc, e);
out:
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_session_get(struct store_backend *b, const char *id,
                                  struct store_session *out, struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    enum kz_err rc = sq_prepare(db, &st, e,
                                "SELECT " SESSION_COLS ",(SELECT max(attempts) FROM jobs j"
                                " WHERE j.session_id=s.id) FROM sessions s WHERE s.id=?",
                                "t", id);
    if (rc == KZ_OK) {
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW) {
            sq_session_row(st, out);
            out->media_json = sq_text_dup(st, 17);
            out->results_json = sq_text_dup(st, 18);
            out->attempts = sqlite3_column_int(st, 21);
            if ((sqlite3_column_type(st, 17) != SQLITE_NULL && !out->media_json) ||
                (sqlite3_column_type(st, 18) != SQLITE_NULL && !out->results_json)) {
                store_session_cleanup(out);
                rc = err_set(e, KZ_E_NOMEM, NULL);
            }
        } else if (s == SQLITE_DONE) {
            rc = err_set(e, KZ_E_NOT_FOUND, "session not found");
        } else {
            rc = sq_err(db, s, e, "get session");
        }
        sqlite3_finalize(st);
    }
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_session_count(struct store_backend *b, const char *org_id,
                                    const char *user_id, int64_t *out, struct err_ctx *e)
{
    return sq_count(b,
                    "SELECT count(*) FROM sessions WHERE org_id=? AND (?2 IS NULL OR user_id=?2)",
                    "tT", org_id, user_id, out, e);
}

/*
 * Listing selects SESSION_COLS (media/results columns replaced by NULL so
 * whole results are never loaded), the job's attempts, and the results'
 * "metrics" object and "segments" number through SQLite's JSON functions.
 * ?1 org, ?2 user, ?3 activity, ?4 title substring, ?5/?6 created range,
 * ?7 cursor direction, ?8/?9 cursor key, ?10 limit (-1 = none).
 */
#define SQ_LIST_SQL(order)                                                                         \
    "SELECT s.id,s.org_id,s.user_id,s.activity,s.title,s.exercise,s.incline_deg,s.barbell_mass,"   \
    "s.barbell_unit,s.body_joint_angles,s.video_key,s.video_name,s.thumbnail_key,s.status,"        \
    "s.progress,s.stage,s.failure_reason,NULL,NULL,s.created_at_ms,s.updated_at_ms,"               \
    "(SELECT max(attempts) FROM jobs j WHERE j.session_id=s.id),"                                  \
    "CASE WHEN json_valid(s.results_json) THEN json_extract(s.results_json,'$.metrics') END,"      \
    "CASE WHEN json_valid(s.results_json) THEN json_extract(s.results_json,'$.segments') END"      \
    " FROM sessions s WHERE s.org_id=?1 AND (?2 IS NULL OR s.user_id=?2)"                          \
    " AND (?3 IS NULL OR s.activity=?3) AND (?4 IS NULL OR instr(lower(s.title),lower(?4))>0)"     \
    " AND (?5 IS NULL OR s.created_at_ms>=?5) AND (?6 IS NULL OR s.created_at_ms<?6)"              \
    " AND (?7=0 OR (?7>0 AND (s.created_at_ms<?8 OR (s.created_at_ms=?8 AND s.id<?9)))"            \
    " OR (?7<0 AND (s.created_at_ms>?8 OR (s.created_at_ms=?8 AND s.id>?9))))"                     \
    " ORDER BY s.created_at_ms " order ", s.id " order " LIMIT ?10"

static int sq_bind_opt_text(sqlite3_stmt *st, int idx, const char *v)
{
    return v ? sqlite3_bind_text(st, idx, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, idx);
}

static enum kz_err sq_session_list(struct store_backend *b, const struct store_session_query *q,
                                   store_session_fn fn, void *ctx, struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st = NULL;
    struct store_session *rows = NULL; /* a backward page is buffered, emitted newest first */
    int n_rows = 0, step = SQLITE_DONE, stop = 0, brc = SQLITE_OK;
    const char *title = q->title_substr && q->title_substr[0] ? q->title_substr : NULL;
    enum kz_err rc =
        sq_prepare(db, &st, e, q->cursor_dir < 0 ? SQ_LIST_SQL("ASC") : SQ_LIST_SQL("DESC"), NULL);
    if (rc != KZ_OK)
        goto out;
    brc |= sqlite3_bind_text(st, 1, q->org_id, -1, SQLITE_TRANSIENT);
    brc |= sq_bind_opt_text(st, 2, q->user_id);
    brc |= sq_bind_opt_text(st, 3, q->activity);
    brc |= sq_bind_opt_text(st, 4, title);
    brc |= q->has_from ? sqlite3_bind_int64(st, 5, q->from_ms) : sqlite3_bind_null(st, 5);
    brc |= q->has_to ? sqlite3_bind_int64(st, 6, q->to_ms) : sqlite3_bind_null(st, 6);
    brc |= sqlite3_bind_int(st, 7, q->cursor_dir > 0 ? 1 : q->cursor_dir < 0 ? -1 : 0);
    brc |= sqlite3_bind_int64(st, 8, q->cursor_created_ms);
    brc |= sqlite3_bind_text(st, 9, q->cursor_id ? q->cursor_id : "", -1, SQLITE_TRANSIENT);
    brc |= sqlite3_bind_int64(st, 10, q->limit > 0 ? q->limit : -1);
    if (brc != SQLITE_OK) {
        rc = err_set(e, KZ_E_IO, "list sessions: bind: %s", sqlite3_errmsg(db));
        goto out;
    }
    if (q->cursor_dir < 0 && !(rows = calloc((size_t)q->limit, sizeof *rows))) {
        rc = err_set(e, KZ_E_NOMEM, NULL);
        goto out;
    }
    while (!stop && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_session one, *ss = rows ? &rows[n_rows] : &one;
        sq_session_row(st, ss);
        ss->attempts = sqlite3_column_int(st, 21);
        ss->segments = sqlite3_column_int(st, 23);
        if (sqlite3_column_type(st, 22) != SQLITE_NULL &&
            !(ss->metrics_json = sq_text_dup(st, 22))) {
            rc = err_set(e, KZ_E_NOMEM, NULL);
            goto out;
        }
        if (rows) {
            if (++n_rows == q->limit)
                break;
        } else {
            stop = fn(ctx, ss);
            store_session_cleanup(ss);
        }
    }
    if (!stop && step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = sq_err(db, step, e, "list sessions");
        goto out;
    }
    for (int i = n_rows - 1; i >= 0 && !stop; i--)
        stop = fn(ctx, &rows[i]);
out:
    for (int i = 0; rows && i < n_rows; i++)
        store_session_cleanup(&rows[i]);
    free(rows);
    sqlite3_finalize(st);
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_session_update(struct store_backend *b, const char *id, const char *title,
                                     int64_t created_at_ms, struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    enum kz_err rc = sq_prepare(db, &st, e,
                                "UPDATE sessions SET title=coalesce(?1,title),"
                                "created_at_ms=CASE WHEN ?2>=0 THEN ?2 ELSE created_at_ms END,"
                                "updated_at_ms=?3 WHERE id=?4",
                                "Tiit", title, created_at_ms, time_wall_ms(), id);
    if (rc == KZ_OK)
        rc = sq_done(db, st, e, "update session");
    if (rc == KZ_OK && sqlite3_changes(db) == 0)
        rc = err_set(e, KZ_E_NOT_FOUND, "session not found");
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_session_delete(struct store_backend *b, const char *org_id, const char *id,
                                     struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    int changed = 0;
    enum kz_err rc = sq_begin(db, e);
    if (rc == KZ_OK)
        rc = sq_prepare(db, &st, e,
                        "DELETE FROM jobs WHERE session_id=?1 AND EXISTS"
                        " (SELECT 1 FROM sessions WHERE id=?1 AND org_id=?2)",
                        "tt", id, org_id);
    if (rc == KZ_OK)
        rc = sq_done(db, st, e, "delete jobs");
    if (rc == KZ_OK)
        rc = sq_prepare(db, &st, e, "DELETE FROM sessions WHERE id=? AND org_id=?", "tt", id,
                        org_id);
    if (rc == KZ_OK && (rc = sq_done(db, st, e, "delete session")) == KZ_OK)
        changed = sqlite3_changes(db);
    if (rc == KZ_OK && changed == 0)
        rc = err_set(e, KZ_E_NOT_FOUND, "session not found");
    rc = sq_end(db, rc, e);
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_session_set_media(struct store_backend *b, const char *id,
                                        const char *media_json, const char *thumbnail_key,
                                        struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    enum kz_err rc =
        sq_prepare(db, &st, e,
                   "UPDATE sessions SET media_json=?,thumbnail_key=?,updated_at_ms=?"
                   " WHERE id=?",
                   "Ttit", media_json, thumbnail_key ? thumbnail_key : "", time_wall_ms(), id);
    if (rc == KZ_OK)
        rc = sq_done(db, st, e, "set media");
    if (rc == KZ_OK && sqlite3_changes(db) == 0)
        rc = err_set(e, KZ_E_NOT_FOUND, "session not found");
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_session_set_results(struct store_backend *b, const char *id,
                                          const char *results_json, struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    enum kz_err rc =
        sq_prepare(db, &st, e, "UPDATE sessions SET results_json=?,updated_at_ms=? WHERE id=?",
                   "Tit", results_json, time_wall_ms(), id);
    if (rc == KZ_OK)
        rc = sq_done(db, st, e, "set results");
    if (rc == KZ_OK && sqlite3_changes(db) == 0)
        rc = err_set(e, KZ_E_NOT_FOUND, "session not found");
    sq_release(b, db);
    return rc;
}

/* ---- jobs ---- */
static enum kz_err sq_session_status(sqlite3 *db, const char *session_id, const char *status,
                                     int progress, const char *stage, const char *reason,
                                     struct err_ctx *e)
{
    sqlite3_stmt *st;
    enum kz_err rc =
        sq_prepare(db, &st, e,
                   "UPDATE sessions SET status=?,progress=?,stage=coalesce(?,stage),"
                   "failure_reason=coalesce(?,failure_reason),updated_at_ms=?"
                   " WHERE id=?",
                   "tnTTit", status, progress, stage, reason, time_wall_ms(), session_id);
    if (rc == KZ_OK)
        rc = sq_done(db, st, e, "update session status");
    return rc;
}

static enum kz_err sq_job_claim(struct store_backend *b, const char *owner, int64_t now_ms,
                                int64_t lease_ms, struct store_job *out, struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st = NULL;
    enum kz_err rc = sq_begin(db, e);
    int found = 0;
    if (rc != KZ_OK)
        goto out;
    /* Expired leases with no attempts left: the job dies with its session.
       Collected first (a few per claim), then updated, so the scan never
       sees its own writes. */
    struct {
        int64_t id;
        char sid[STORE_ID_MAX];
        char reason[512];
    } dead[8];
    int n_dead = 0;
    rc = sq_prepare(db, &st, e,
                    "SELECT id,session_id,attempts,last_error FROM jobs WHERE state='running'"
                    " AND lease_until_ms<? AND attempts>=max_attempts LIMIT 8",
                    "i", now_ms);
    while (rc == KZ_OK && n_dead < (int)KZ_ARRAY_LEN(dead)) {
        int s = sqlite3_step(st);
        char last[400];
        if (s == SQLITE_DONE)
            break;
        if (s != SQLITE_ROW) {
            rc = sq_err(db, s, e, "scan expired jobs");
            break;
        }
        dead[n_dead].id = sqlite3_column_int64(st, 0);
        sq_text(st, 1, dead[n_dead].sid, sizeof dead[n_dead].sid);
        sq_text(st, 3, last, sizeof last);
        str_printf(dead[n_dead].reason, sizeof dead[n_dead].reason,
                   "gave up after %d attempts: the worker stopped before finishing%s%s",
                   sqlite3_column_int(st, 2), last[0] ? "; last error: " : "", last);
        n_dead++;
    }
    sqlite3_finalize(st);
    st = NULL;
    for (int i = 0; i < n_dead && rc == KZ_OK; i++) {
        sqlite3_stmt *up = NULL;
        rc = sq_prepare(db, &up, e,
                        "UPDATE jobs SET state='failed',lease_owner='',last_error=?,"
                        "updated_at_ms=? WHERE id=?",
                        "tii", dead[i].reason, now_ms, dead[i].id);
        if (rc == KZ_OK)
            rc = sq_done(db, up, e, "fail expired job");
        if (rc == KZ_OK)
            rc =
                sq_session_status(db, dead[i].sid, STORE_STATUS_FAILED, 0, NULL, dead[i].reason, e);
        if (rc == KZ_OK)
            log_warn("store: job %lld failed: %s", (long long)dead[i].id, dead[i].reason);
    }
    if (rc == KZ_OK)
        rc = sq_prepare(db, &st, e,
                        "SELECT id,session_id,kind,attempts,max_attempts FROM jobs"
                        " WHERE state='queued' OR (state='running' AND lease_until_ms<?)"
                        " ORDER BY id LIMIT 1",
                        "i", now_ms);
    if (rc == KZ_OK) {
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW) {
            memset(out, 0, sizeof *out);
            out->id = sqlite3_column_int64(st, 0);
            sq_text(st, 1, out->session_id, sizeof out->session_id);
            sq_text(st, 2, out->kind, sizeof out->kind);
            out->attempts = sqlite3_column_int(st, 3) + 1;
            out->max_attempts = sqlite3_column_int(st, 4);
            str_copy(out->lease_owner, sizeof out->lease_owner, owner);
            out->lease_until_ms = now_ms + lease_ms;
            found = 1;
        } else if (s != SQLITE_DONE) {
            rc = sq_err(db, s, e, "claim job");
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    if (rc == KZ_OK && found) {
        rc = sq_prepare(db, &st, e,
                        "UPDATE jobs SET state='running',attempts=?,lease_owner=?,"
                        "lease_until_ms=?,updated_at_ms=? WHERE id=?",
                        "ntiii", out->attempts, owner, out->lease_until_ms, now_ms, out->id);
        if (rc == KZ_OK)
            rc = sq_done(db, st, e, "claim job");
        if (rc == KZ_OK)
            rc = sq_session_status(db, out->session_id, STORE_STATUS_PROCESSING, 0, "", NULL, e);
    }
    if (rc == KZ_OK && !found)
        rc = KZ_E_NOT_FOUND; /* commit the expiry sweep, report "nothing to do" */
    if (rc == KZ_E_NOT_FOUND) {
        enum kz_err c = sq_end(db, KZ_OK, e);
        rc = c == KZ_OK ? KZ_E_NOT_FOUND : c;
        if (rc == KZ_E_NOT_FOUND)
            err_set(e, KZ_E_NOT_FOUND, "no runnable job");
    } else {
        rc = sq_end(db, rc, e);
    }
out:
    sq_release(b, db);
    return rc;
}

/* Check inside a transaction that `j` is still running and owned by its owner. */
static enum kz_err sq_job_owned(sqlite3 *db, const struct store_job *j, struct err_ctx *e)
{
    sqlite3_stmt *st;
    enum kz_err rc =
        sq_prepare(db, &st, e, "SELECT state,lease_owner FROM jobs WHERE id=?", "i", j->id);
    if (rc != KZ_OK)
        return rc;
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        char state[16], owner[128];
        sq_text(st, 0, state, sizeof state);
        sq_text(st, 1, owner, sizeof owner);
        if (strcmp(state, "running") != 0 || strcmp(owner, j->lease_owner) != 0)
            rc = err_set(e, KZ_E_CONFLICT, "job %lld: lease lost", (long long)j->id);
    } else if (s == SQLITE_DONE) {
        rc = err_set(e, KZ_E_NOT_FOUND, "job %lld: gone (session deleted)", (long long)j->id);
    } else {
        rc = sq_err(db, s, e, "check job owner");
    }
    sqlite3_finalize(st);
    return rc;
}

static enum kz_err sq_job_heartbeat(struct store_backend *b, const struct store_job *j,
                                    int64_t lease_until_ms, int progress, const char *stage,
                                    struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st = NULL;
    enum kz_err rc = sq_begin(db, e);
    if (rc != KZ_OK)
        goto out;
    rc = sq_job_owned(db, j, e);
    if (rc == KZ_OK)
        rc = sq_prepare(db, &st, e, "UPDATE jobs SET lease_until_ms=?,updated_at_ms=? WHERE id=?",
                        "iii", lease_until_ms, time_wall_ms(), j->id);
    if (rc == KZ_OK)
        rc = sq_done(db, st, e, "renew lease");
    if (rc == KZ_OK)
        rc = sq_session_status(db, j->session_id, STORE_STATUS_PROCESSING,
                               progress < 0     ? 0
                               : progress > 100 ? 100
                                                : progress,
                               stage, NULL, e);
    rc = sq_end(db, rc, e);
out:
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_job_finish(struct store_backend *b, const struct store_job *j,
                                 const char *job_state, const char *sess_status, int progress,
                                 const char *reason, int count_attempt, struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st = NULL;
    enum kz_err rc = sq_begin(db, e);
    if (rc != KZ_OK)
        goto out;
    rc = sq_job_owned(db, j, e);
    if (rc == KZ_OK)
        rc = sq_prepare(db, &st, e,
                        "UPDATE jobs SET state=?,lease_owner='',lease_until_ms=0,"
                        "attempts=attempts-?,last_error=coalesce(?,last_error),updated_at_ms=?"
                        " WHERE id=?",
                        "tnTii", job_state, count_attempt ? 0 : 1, reason, time_wall_ms(), j->id);
    if (rc == KZ_OK)
        rc = sq_done(db, st, e, "finish job");
    if (rc == KZ_OK)
        rc = sq_session_status(db, j->session_id, sess_status, progress, NULL, reason, e);
    rc = sq_end(db, rc, e);
out:
    sq_release(b, db);
    return rc;
}

static enum kz_err sq_job_complete(struct store_backend *b, const struct store_job *j,
                                   struct err_ctx *e)
{
    return sq_job_finish(b, j, "done", STORE_STATUS_COMPLETED, 100, "", 1, e);
}

static enum kz_err sq_job_fail(struct store_backend *b, const struct store_job *j,
                               const char *reason, int retry, int *requeued, struct err_ctx *e)
{
    int again = retry && j->attempts < j->max_attempts;
    if (requeued)
        *requeued = again;
    if (again)
        return sq_job_finish(b, j, "queued", STORE_STATUS_QUEUED, 0, reason, 1, e);
    return sq_job_finish(b, j, "failed", STORE_STATUS_FAILED, 0, reason, 1, e);
}

static enum kz_err sq_job_release(struct store_backend *b, const struct store_job *j,
                                  struct err_ctx *e)
{
    return sq_job_finish(b, j, "queued", STORE_STATUS_QUEUED, 0, NULL, 0, e);
}

static enum kz_err sq_job_state(struct store_backend *b, const char *session_id, char *state,
                                size_t cap, struct err_ctx *e)
{
    sqlite3 *db = sq_acquire(b);
    sqlite3_stmt *st;
    enum kz_err rc =
        sq_prepare(db, &st, e, "SELECT state FROM jobs WHERE session_id=? ORDER BY id DESC LIMIT 1",
                   "t", session_id);
    if (rc == KZ_OK) {
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW)
            sq_text(st, 0, state, cap);
        else if (s == SQLITE_DONE)
            rc = err_set(e, KZ_E_NOT_FOUND, "no job for session");
        else
            rc = sq_err(db, s, e, "job state");
        sqlite3_finalize(st);
    }
    sq_release(b, db);
    return rc;
}

const struct store_ops store_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .org_insert = sq_org_insert,
    .org_get = sq_org_get,
    .org_count = sq_org_count,
    .user_insert = sq_user_insert,
    .user_get = sq_user_get,
    .user_update = sq_user_update,
    .user_delete = sq_user_delete,
    .user_list = sq_user_list,
    .key_insert = sq_key_insert,
    .key_get = sq_key_get,
    .key_update = sq_key_update,
    .key_list = sq_key_list,
    .key_count = sq_key_count,
    .session_create = sq_session_create,
    .session_get = sq_session_get,
    .session_count = sq_session_count,
    .session_list = sq_session_list,
    .session_update = sq_session_update,
    .session_delete = sq_session_delete,
    .session_set_media = sq_session_set_media,
    .session_set_results = sq_session_set_results,
    .job_claim = sq_job_claim,
    .job_heartbeat = sq_job_heartbeat,
    .job_complete = sq_job_complete,
    .job_fail = sq_job_fail,
    .job_release = sq_job_release,
    .job_state = sq_job_state,
};
