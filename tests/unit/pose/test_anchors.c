/* test_anchors.c — SSD anchors of the BlazePose detector against hand-computed values. */
#include "pose/pose_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

static struct pose_anchor anchors[POSE_DET_N_ANCHORS + 8];

static void test_count_matches_model_output(void **state)
{
    struct pose_anchor_opts o;
    (void)state;
    pose_anchor_opts_blazepose(&o);
    /* 28*28*2 + 14*14*2 + 7*7*(3 layers * 2) */
    assert_int_equal(pose_anchors_generate(&o, NULL, 0), 28 * 28 * 2 + 14 * 14 * 2 + 7 * 7 * 6);
    assert_int_equal(pose_anchors_generate(&o, anchors, POSE_DET_N_ANCHORS + 8), 2254);
}

static void test_first_and_last_values(void **state)
{
    struct pose_anchor_opts o;
    (void)state;
    pose_anchor_opts_blazepose(&o);
    pose_anchors_generate(&o, anchors, POSE_DET_N_ANCHORS);
    /* stride 8: 28x28 cells, 2 anchors per cell, centres (x + 0.5) / 28 */
    assert_float_equal(anchors[0].cx, 0.5 / 28, 1e-7);
    assert_float_equal(anchors[0].cy, 0.5 / 28, 1e-7);
    assert_float_equal(anchors[1].cx, 0.5 / 28, 1e-7);
    assert_float_equal(anchors[2].cx, 1.5 / 28, 1e-7);
    assert_float_equal(anchors[2].cy, 0.5 / 28, 1e-7);
    assert_float_equal(anchors[56].cy, 1.5 / 28, 1e-7); /* second row */
    assert_float_equal(anchors[1567].cx, 27.5 / 28, 1e-6);
    assert_float_equal(anchors[1567].cy, 27.5 / 28, 1e-6);
    /* stride 16 starts at 1568 */
    assert_float_equal(anchors[1568].cx, 0.5 / 14, 1e-7);
    assert_float_equal(anchors[1959].cy, 13.5 / 14, 1e-6);
    /* three stride-32 layers merged: 6 anchors per 7x7 cell from 1960 */
    assert_float_equal(anchors[1960].cx, 0.5 / 7, 1e-7);
    assert_float_equal(anchors[1965].cx, 0.5 / 7, 1e-7);
    assert_float_equal(anchors[1966].cx, 1.5 / 7, 1e-7);
    assert_float_equal(anchors[2253].cx, 6.5 / 7, 1e-6);
    assert_float_equal(anchors[2253].cy, 6.5 / 7, 1e-6);
    for (int i = 0; i < POSE_DET_N_ANCHORS; i++) {
        assert_float_equal(anchors[i].w, 1.0, 0.0);
        assert_float_equal(anchors[i].h, 1.0, 0.0);
    }
}

static void test_non_fixed_sizes_follow_ssd_scales(void **state)
{
    struct pose_anchor_opts o;
    (void)state;
    pose_anchor_opts_blazepose(&o);
    o.fixed_anchor_size = 0;
    pose_anchors_generate(&o, anchors, POSE_DET_N_ANCHORS);
    /* layer 0: scale 0.1484375; interpolated anchor sqrt(s0 * s1), s1 = s0 + (0.75-s0)/4 */
    double s0 = 0.1484375, s1 = 0.1484375 + (0.75 - 0.1484375) / 4.0;
    assert_float_equal(anchors[0].w, s0, 1e-6);
    assert_float_equal(anchors[1].w, sqrt(s0 * s1), 1e-6);
    /* last cell, last anchor: layer 4 interpolated with next scale 1.0 */
    assert_float_equal(anchors[2253].h, sqrt(0.75 * 1.0), 1e-6);
    assert_float_equal(anchors[2252].h, 0.75, 1e-6);
}

static void test_invalid_options(void **state)
{
    struct pose_anchor_opts o;
    (void)state;
    pose_anchor_opts_blazepose(&o);
    o.num_layers = 0;
    assert_int_equal(pose_anchors_generate(&o, anchors, 10), -1);
    pose_anchor_opts_blazepose(&o);
    o.input_w = 0;
    assert_int_equal(pose_anchors_generate(&o, anchors, 10), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count_matches_model_output),
        cmocka_unit_test(test_first_and_last_values),
        cmocka_unit_test(test_non_fixed_sizes_follow_ssd_scales),
        cmocka_unit_test(test_invalid_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
