/*
 * clip_inputs.h — what every real-clip test program needs first: the clip
 * from $KZ_SHARED_MEDIA and a pose model in $KINALYZE_MODELS_DIR, or a skip
 * (exit status CLIP_SKIP = 77 for meson) with a message saying what is absent.
 */
#ifndef KZ_TEST_CLIP_INPUTS_H
#define KZ_TEST_CLIP_INPUTS_H

#include <stddef.h>

#define CLIP_SKIP 77

/*
 * Resolve clip `name` into clip[cap] and *models_dir (borrowed from the
 * environment) and check that the clip and pose_landmark_<model>.tflite
 * exist. Returns 0, or prints "SKIP: <reason>" and returns CLIP_SKIP.
 */
int clip_inputs(const char *name, const char *model, char *clip, size_t cap,
                const char **models_dir);

#endif
