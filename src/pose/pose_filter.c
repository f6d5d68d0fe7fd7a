/*
 * pose_filter.c — MediaPipe's temporal landmark smoothing for pose
 * (pose_landmark_filtering.pbtxt): a low-pass filter on visibility
 * (VisibilitySmoothingCalculator, alpha 0.1) and one-euro filters
 * (mediapipe/util/filtering/one_euro_filter.cc; Casiez, Roussel & Vogel,
 * "1 Euro Filter", CHI 2012) on the image landmarks, the auxiliary tracking
 * landmarks and the world landmarks, with MediaPipe's parameters collected
 * in pose_smoothing_mediapipe below.
 *
 * One deliberate difference: MediaPipe treats a timestamp of 0 as "no
 * previous sample" (so a stream starting at t = 0 keeps its default 30 Hz
 * for one more frame); here a flag does that job, so the first interval of
 * any stream is measured like the others. Frequencies always come from the
 * real intervals between timestamps, which keeps variable-frame-rate clips
 * correct.
 */
#include "pose/pose_int.h"

#include <math.h>
#include <string.h>

/* Parameters of pose_landmark_filtering.pbtxt (comments there explain them). */
const struct pose_smoothing_params pose_smoothing_mediapipe = {
    .visibility_alpha = 0.1f,
    .landmarks = {.frequency = 30.0, .min_cutoff = 0.05, .beta = 80.0, .derivate_cutoff = 1.0},
    .world = {.frequency = 30.0, .min_cutoff = 0.1, .beta = 40.0, .derivate_cutoff = 1.0},
    .aux = {.frequency = 30.0, .min_cutoff = 0.01, .beta = 10.0, .derivate_cutoff = 1.0},
    .min_allowed_object_scale = 1e-6f,
};

float pose_lowpass_apply(struct pose_lowpass *f, float value, float alpha)
{
    float result = value;
    if (f->initialized)
        result = alpha * value + (1.0f - alpha) * f->stored;
    f->initialized = 1;
    f->raw = value;
    f->stored = result;
    return result;
}

void pose_one_euro_reset(struct pose_one_euro *f, const struct pose_one_euro_params *p)
{
    memset(f, 0, sizeof *f);
    f->frequency = p->frequency;
}

/* Smoothing factor of an exponential filter with cutoff `cutoff` Hz at `freq` Hz. */
static double one_euro_alpha(double freq, double cutoff)
{
    double te = 1.0 / freq;
    double tau = 1.0 / (2.0 * M_PI * cutoff);
    return 1.0 / (1.0 + tau / te);
}

double pose_one_euro_apply(struct pose_one_euro *f, const struct pose_one_euro_params *p,
                           double t_s, double value_scale, double value)
{
    if (f->has_last && !(t_s > f->last_t_s))
        return value; /* not after the previous sample: pass through, state untouched */
    if (f->has_last)
        f->frequency = 1.0 / (t_s - f->last_t_s);
    f->last_t_s = t_s;
    f->has_last = 1;
    double dvalue = f->x.initialized ? (value - f->x.raw) * value_scale * f->frequency : 0.0;
    double edvalue = pose_lowpass_apply(&f->dx, (float)dvalue,
                                        (float)one_euro_alpha(f->frequency, p->derivate_cutoff));
    double cutoff = p->min_cutoff + p->beta * fabs(edvalue);
    return pose_lowpass_apply(&f->x, (float)value, (float)one_euro_alpha(f->frequency, cutoff));
}

void pose_smoother_reset(struct pose_smoother *s)
{
    memset(s, 0, sizeof *s);
}

static void smoother_start(struct pose_smoother *s, const struct pose_smoothing_params *p)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < POSE_N_LANDMARKS; i++)
        for (int k = 0; k < 3; k++) {
            pose_one_euro_reset(&s->lm[i][k], &p->landmarks);
            pose_one_euro_reset(&s->world[i][k], &p->world);
        }
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 3; k++)
            pose_one_euro_reset(&s->aux[i][k], &p->aux);
    s->started = 1;
}

void pose_smoother_apply(struct pose_smoother *s, const struct pose_smoothing_params *p, double t_s,
                         struct pose_lm_set *lm)
{
    if (!s->started)
        smoother_start(s, p);

    /* Object scale: the unfiltered auxiliary ROI before scaling,
       (width + height) / 2 in pixels = 2 * |aux1 - aux0| (GetObjectScale). */
    double dx = (double)lm->x_px[POSE_LM_AUX_SCALE] - lm->x_px[POSE_LM_AUX_CENTRE];
    double dy = (double)lm->y_px[POSE_LM_AUX_SCALE] - lm->y_px[POSE_LM_AUX_CENTRE];
    double object_scale = 2.0 * sqrt(dx * dx + dy * dy);

    for (int i = 0; i < POSE_N_LANDMARKS; i++)
        lm->visibility[i] = pose_lowpass_apply(&s->vis[i], lm->visibility[i], p->visibility_alpha);

    if (object_scale >= p->min_allowed_object_scale) {
        double vs = 1.0 / object_scale;
        for (int i = 0; i < POSE_N_LANDMARKS; i++) {
            lm->x_px[i] =
                (float)pose_one_euro_apply(&s->lm[i][0], &p->landmarks, t_s, vs, lm->x_px[i]);
            lm->y_px[i] =
                (float)pose_one_euro_apply(&s->lm[i][1], &p->landmarks, t_s, vs, lm->y_px[i]);
            lm->z_px[i] =
                (float)pose_one_euro_apply(&s->lm[i][2], &p->landmarks, t_s, vs, lm->z_px[i]);
        }
        for (int a = 0; a < 2; a++) {
            int i = POSE_LM_AUX_CENTRE + a;
            lm->x_px[i] = (float)pose_one_euro_apply(&s->aux[a][0], &p->aux, t_s, vs, lm->x_px[i]);
            lm->y_px[i] = (float)pose_one_euro_apply(&s->aux[a][1], &p->aux, t_s, vs, lm->y_px[i]);
            lm->z_px[i] = (float)pose_one_euro_apply(&s->aux[a][2], &p->aux, t_s, vs, lm->z_px[i]);
        }
    }
    /* World landmarks are metric: no value scaling (disable_value_scaling). */
    for (int i = 0; i < POSE_N_LANDMARKS; i++)
        for (int k = 0; k < 3; k++)
            lm->world_m[i][k] =
                (float)pose_one_euro_apply(&s->world[i][k], &p->world, t_s, 1.0, lm->world_m[i][k]);
}
