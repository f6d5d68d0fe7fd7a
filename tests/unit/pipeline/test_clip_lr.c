/*
 * test_clip_lr.c — left/right identity on a real clip (issue #5):
 *   test_clip_lr CLIP MAX_FRAMES MIN_RAW_CROSSINGS
 * decodes the first MAX_FRAMES frames of ../shared/media/CLIP, runs the pose
 * model (lite) on them and compares the RAW ankle labels of the pose model
 * with the labels after the analysis' left/right repair (analysis_prepare:
 * kinematics rx/ry, the same labels the angles and the exported keypoints use).
 *
 * A label crossing between frames i-1 and i is a pair where assigning the
 * ankles crosswise (left(i) <- right(i-1), right(i) <- left(i-1)) explains the
 * motion at less than half the cost of keeping the labels, while keeping them
 * would move the ankles by more than half a leg length (the summed frame-to-
 * frame displacement). Real ankles cannot do that in 1/30 s (walking swing
 * foot peaks at about 4 m/s, 0.15 leg lengths per frame), so a crossing is a
 * label swap. Checks:
 *   - the raw labels cross at least MIN_RAW_CROSSINGS times (the clip really
 *     shows swaps), and the largest raw frame-to-frame ankle jump exceeds
 *     0.75 leg lengths (a swap moves an ankle by the distance between the feet);
 *   - the repaired labels never cross, and no repaired ankle jumps by more than
 *     0.6 leg lengths between frames (the bound; what remains above 0.15 is pose
 *     noise, not swaps);
 *   - the repair keeps the ankles in at least 70 % of the raw frame pairs (it
 *     cannot pass by discarding data).
 * Leg length: median hip-knee + knee-ankle of the raw left leg, in px.
 * Skips (exit 77) when the clip or the models are absent.
 */
#include "clip_inputs.h"
#include "analysis/analysis.h"
#include "pipeline/pipeline.h"
#include "media/media.h"
#include "pose/pose.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MIN_CONF 0.5          /* visibility x presence for a raw ankle to count */
#define CROSS_RATIO 0.5       /* crosswise cost below this share of the straight one */
#define CROSS_MIN_LEG 0.5     /* straight displacement above this many leg lengths */
#define RAW_JUMP_MIN_LEG 0.75 /* the raw labels must jump at least this far once */
#define REPAIRED_JUMP_MAX_LEG 0.6
#define MIN_KEPT 0.7

/* Pose the first max_frames frames of clip into s (lite model). */
static int pose_clip(const char *clip, const char *models, int max_frames, struct an_series *s)
{
    struct err_ctx e = {0};
    struct media_decoder *d = NULL;
    struct pose_tracker *tr = NULL;
    struct pose_opts po;
    pose_opts_init(&po);
    po.model = "lite";
    po.models_dir = models;
    po.threads = 1;
    if (media_decoder_open(clip, NULL, &d, &e) || pose_tracker_create(&po, &tr, &e)) {
        fprintf(stderr, "FAIL: open: %s\n", err_msg(&e));
        media_decoder_close(d);
        pose_tracker_destroy(tr);
        return -1;
    }
    const struct media_info *mi = media_decoder_info(d);
    int rc = -1, n = 0;
    if (analysis_series_init(s, max_frames, mi->width, mi->height, &e) != KZ_OK)
        goto done;
    while (n < max_frames) {
        const struct frame *fr;
        struct pose_result pr;
        if (media_decoder_next(d, &fr, &e) != KZ_OK) {
            fprintf(stderr, "FAIL: decode: %s\n", err_msg(&e));
            goto done;
        }
        if (!fr)
            break;
        if (pose_tracker_process(tr, fr, &pr, &e) != KZ_OK) {
            fprintf(stderr, "FAIL: pose: %s\n", err_msg(&e));
            goto done;
        }
        pipeline_frame_from_pose(&pr, &s->frames[n++]);
    }
    s->n_frames = n;
    rc = 0;
done:
    media_decoder_close(d);
    pose_tracker_destroy(tr);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median raw left-leg length (hip-knee + knee-ankle) in px; NaN when never seen. */
static double leg_length_px(const struct an_series *s)
{
    double *b = malloc(sizeof(double) * (size_t)(s->n_frames ? s->n_frames : 1));
    int m = 0;
    if (!b)
        return NAN;
    for (int i = 0; i < s->n_frames; i++) {
        const struct an_landmark *h = &s->frames[i].lm[AN_L_HIP], *k = &s->frames[i].lm[AN_L_KNEE],
                                 *a = &s->frames[i].lm[AN_L_ANKLE];
        if (s->frames[i].valid)
            b[m++] = hypot(h->x_px - k->x_px, h->y_px - k->y_px) +
                     hypot(k->x_px - a->x_px, k->y_px - a->y_px);
    }
    qsort(b, (size_t)m, sizeof *b, cmp_double);
    double r = m ? (m % 2 ? b[m / 2] : 0.5 * (b[m / 2 - 1] + b[m / 2])) : NAN;
    free(b);
    return r;
}

struct lr_stats {
    int pairs, crossings;
    double max_jump_px;
};

/* Ankle positions l0/r0 (frame i-1) and l1/r1 (frame i), x,y px each. */
static void lr_pair(struct lr_stats *st, const double *l0, const double *r0, const double *l1,
                    const double *r1, double leg_px)
{
    double dl = hypot(l1[0] - l0[0], l1[1] - l0[1]), dr = hypot(r1[0] - r0[0], r1[1] - r0[1]);
    double cross = hypot(l1[0] - r0[0], l1[1] - r0[1]) + hypot(r1[0] - l0[0], r1[1] - l0[1]);
    st->pairs++;
    if (cross < CROSS_RATIO * (dl + dr) && dl + dr > CROSS_MIN_LEG * leg_px)
        st->crossings++;
    st->max_jump_px = fmax(st->max_jump_px, fmax(dl, dr));
}

static int raw_ankle(const struct an_frame *f, int lm, double *p)
{
    const struct an_landmark *l = &f->lm[lm];
    p[0] = l->x_px;
    p[1] = l->y_px;
    return f->valid && (double)l->visibility * l->presence >= MIN_CONF && isfinite(p[0]) &&
           isfinite(p[1]);
}

/* Repaired (unfiltered) ankle in px: k->rx/ry are metres, y up. */
static int repaired_ankle(const struct an_kinematics *k, int lm, int i, double *p)
{
    p[0] = k->rx[lm][i] / k->scale_m_per_px;
    p[1] = -k->ry[lm][i] / k->scale_m_per_px;
    return isfinite(p[0]) && isfinite(p[1]);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s CLIP MAX_FRAMES MIN_RAW_CROSSINGS\n", argv[0]);
        return 2;
    }
    const char *models = NULL;
    char clip[1024];
    if (clip_inputs(argv[1], "lite", clip, sizeof(clip), &models) != 0)
        return CLIP_SKIP;
    int64_t max_frames = 0, min_cross = 0;
    if (str_to_i64(argv[2], 1, 1 << 20, &max_frames) != KZ_OK ||
        str_to_i64(argv[3], 1, 1 << 20, &min_cross) != KZ_OK) {
        fprintf(stderr, "bad MAX_FRAMES or MIN_RAW_CROSSINGS\n");
        return 2;
    }
    struct an_series s;
    struct an_kinematics k;
    struct err_ctx e = {0};
    int status = 1;
    memset(&s, 0, sizeof s);
    memset(&k, 0, sizeof k);
    if (pose_clip(clip, models, (int)max_frames, &s) != 0)
        goto done;
    if (analysis_prepare(&s, NULL, &k, &e) != KZ_OK) {
        fprintf(stderr, "FAIL: analysis_prepare: %s\n", err_msg(&e));
        goto done;
    }
    double leg = leg_length_px(&s);
    if (!(leg > 10)) {
        fprintf(stderr, "FAIL: no leg seen (leg length %.1f px)\n", leg);
        goto done;
    }
    struct lr_stats raw = {0}, rep = {0};
    for (int i = 1; i < s.n_frames; i++) {
        double l0[2], r0[2], l1[2], r1[2];
        if (raw_ankle(&s.frames[i - 1], AN_L_ANKLE, l0) &&
            raw_ankle(&s.frames[i - 1], AN_R_ANKLE, r0) &&
            raw_ankle(&s.frames[i], AN_L_ANKLE, l1) && raw_ankle(&s.frames[i], AN_R_ANKLE, r1))
            lr_pair(&raw, l0, r0, l1, r1, leg);
        if (repaired_ankle(&k, AN_L_ANKLE, i - 1, l0) &&
            repaired_ankle(&k, AN_R_ANKLE, i - 1, r0) && repaired_ankle(&k, AN_L_ANKLE, i, l1) &&
            repaired_ankle(&k, AN_R_ANKLE, i, r1))
            lr_pair(&rep, l0, r0, l1, r1, leg);
    }
    printf("%s: %d frames, leg %.1f px, leg swaps fixed %d, arm swaps fixed %d\n", argv[1],
           s.n_frames, leg, k.n_leg_swaps_fixed, k.n_arm_swaps_fixed);
    printf("raw:      %d frame pairs, %d label crossings, max ankle jump %.1f px (%.2f legs)\n",
           raw.pairs, raw.crossings, raw.max_jump_px, raw.max_jump_px / leg);
    printf("repaired: %d frame pairs, %d label crossings, max ankle jump %.1f px (%.2f legs)\n",
           rep.pairs, rep.crossings, rep.max_jump_px, rep.max_jump_px / leg);
    if (raw.crossings < min_cross || raw.max_jump_px < RAW_JUMP_MIN_LEG * leg) {
        fprintf(stderr,
                "FAIL: the raw labels do not swap enough (need %lld crossings and a "
                "jump > %.2f legs): not a clip that proves the repair\n",
                (long long)min_cross, RAW_JUMP_MIN_LEG);
        goto done;
    }
    if (rep.crossings != 0 || rep.max_jump_px > REPAIRED_JUMP_MAX_LEG * leg) {
        fprintf(stderr, "FAIL: repaired labels still swap (%d crossings, jump %.2f legs > %.2f)\n",
                rep.crossings, rep.max_jump_px / leg, REPAIRED_JUMP_MAX_LEG);
        goto done;
    }
    if (rep.pairs < MIN_KEPT * raw.pairs) {
        fprintf(stderr, "FAIL: the repair kept only %d of %d frame pairs\n", rep.pairs, raw.pairs);
        goto done;
    }
    status = 0;
done:
    analysis_kinematics_cleanup(&k);
    analysis_series_cleanup(&s);
    return status;
}
