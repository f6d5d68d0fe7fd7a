/*
 * json.c — the few jansson conveniences every layer needs: compact
 * serialisation, typed member access, and the ISO-8601 timestamps the
 * AiKYNETIX documents use.
 */
#include "core/core.h"

#include <time.h>

char *json_to_string(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

const char *json_obj_str(const json_t *o, const char *key)
{
    json_t *m = json_is_object(o) ? json_object_get(o, key) : NULL;
    return json_is_string(m) ? json_string_value(m) : NULL;
}

void time_iso8601_ms(int64_t ms, char out[32])
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    size_t n;
    gmtime_r(&s, &tm);
    n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    str_printf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}
