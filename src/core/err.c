/*
 * err.c — the project-wide error table (generated from KZ_ERRORS in core.h)
 * and the err_ctx helpers that carry a message along with a code.
 */
#include "core/core.h"

#include <stdio.h>
#include <string.h>

static const char *const err_names[] = {
#define KZ_ERR_NAME(name, msg) #name,
    KZ_ERRORS(KZ_ERR_NAME)
#undef KZ_ERR_NAME
};

static const char *const err_msgs[] = {
#define KZ_ERR_MSG(name, msg) msg,
    KZ_ERRORS(KZ_ERR_MSG)
#undef KZ_ERR_MSG
};

const char *err_name(enum kz_err code)
{
    if ((unsigned)code >= KZ_E__COUNT)
        return "UNKNOWN";
    return err_names[code];
}

const char *err_default_msg(enum kz_err code)
{
    if ((unsigned)code >= KZ_E__COUNT)
        return "unknown error";
    return err_msgs[code];
}

enum kz_err err_setv(struct err_ctx *e, enum kz_err code, const char *fmt, va_list ap)
{
    if (!e)
        return code;
    e->code = code;
    if (!fmt || !*fmt) {
        snprintf(e->msg, sizeof e->msg, "%s", err_default_msg(code));
        return code;
    }
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    return code;
}

enum kz_err err_set(struct err_ctx *e, enum kz_err code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(e, code, fmt, ap);
    va_end(ap);
    return code;
}

void err_clear(struct err_ctx *e)
{
    if (!e)
        return;
    e->code = KZ_OK;
    e->msg[0] = '\0';
}

const char *err_msg(const struct err_ctx *e)
{
    if (!e)
        return "";
    return e->msg[0] ? e->msg : err_default_msg(e->code);
}
