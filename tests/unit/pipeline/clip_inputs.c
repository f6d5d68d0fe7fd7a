/* clip_inputs.c — see clip_inputs.h. */
#include "clip_inputs.h"

#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && st.st_size > 0;
}

int clip_inputs(const char *name, const char *model, char *clip, size_t cap,
                const char **models_dir)
{
    const char *media = getenv("KZ_SHARED_MEDIA");
    const char *models = getenv("KINALYZE_MODELS_DIR");
    char model_file[1024];
    if (!media || !models) {
        printf("SKIP: KZ_SHARED_MEDIA / KINALYZE_MODELS_DIR not set\n");
        return CLIP_SKIP;
    }
    if (str_printf(clip, cap, "%s/%s", media, name) != KZ_OK || !file_exists(clip)) {
        printf("SKIP: %s/%s absent\n", media, name);
        return CLIP_SKIP;
    }
    str_printf(model_file, sizeof(model_file), "%s/pose_landmark_%s.tflite", models, model);
    if (!file_exists(model_file)) {
        printf("SKIP: %s absent (run make models)\n", model_file);
        return CLIP_SKIP;
    }
    *models_dir = models;
    return 0;
}
