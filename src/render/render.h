/*
 * render.h — draws the analyzed-video overlay that the vendor's users know
 * onto video frames: the BlazePose skeleton with the left and right sides in
 * different colours, joint-angle labels (degrees) next to the ankle, knee,
 * hip, shoulder and elbow, foot-contact markers (running), a phase label
 * (jumping, weightlifting), a few information lines, and for weightlifting
 * the bar path as a trail coloured by bar speed with a speed legend.
 *
 * The caller describes one frame's overlay in a `struct render_overlay`
 * whose coordinates are pixels of a fixed "coordinate space" (normally the
 * decoded source size the pose ran on); the renderer scales everything to
 * its output size, which keeps the source aspect, never upscales, has a long
 * side of at most RENDER_MAX_LONG_SIDE_PX (or the option) and even width and
 * height (H.264 4:2:0 needs them). Frames of any size may be passed in; they
 * are resized to the output size first.
 *
 * Drawing goes through frame's Cairo canvas; this module knows no Cairo.
 * Thread-safety: a `struct render` is used by one thread at a time; distinct
 * renderers are independent.
 */
#ifndef KZ_RENDER_H
#define KZ_RENDER_H

#include "core/core.h"
#include "frame/frame.h"

#include <stdint.h>

#define RENDER_N_LANDMARKS 33 /* BlazePose topology (same indices as pose.h) */
#define RENDER_MAX_LONG_SIDE_PX 1280
#define RENDER_MAX_INFO 4         /* information lines under the phase label */
#define RENDER_MIN_VISIBILITY 0.5 /* landmarks below this are not drawn */

/* Joint angles that get a label, in the vendor's series order and naming. */
enum render_angle {
    RENDER_ANGLE_LANK = 0,
    RENDER_ANGLE_RANK,
    RENDER_ANGLE_LKNE,
    RENDER_ANGLE_RKNE,
    RENDER_ANGLE_LHIP,
    RENDER_ANGLE_RHIP,
    RENDER_ANGLE_LSHO,
    RENDER_ANGLE_RSHO,
    RENDER_ANGLE_LELB,
    RENDER_ANGLE_RELB,
    RENDER_N_ANGLES
};

/* A landmark in coordinate-space pixels; visibility 0..1. */
struct render_point {
    double x_px, y_px;
    double visibility;
};

/* One sample of the bar path (weightlifting). */
struct render_bar_point {
    double x_px, y_px; /* plate centre, coordinate-space pixels */
    double speed_mps;  /* bar speed at this sample (colour of the segment ending here) */
    int valid;         /* 0: the plate was lost here (interpolated): drawn faded */
};

/* Everything drawn on one frame. Initialise with render_overlay_init. */
struct render_overlay {
    int have_pose; /* 0: no skeleton on this frame */
    struct render_point lm[RENDER_N_LANDMARKS];
    double angle_deg[RENDER_N_ANGLES];  /* NAN: no label for that joint */
    int contact[2];                     /* running: [0] left, [1] right foot on the
                                           ground (1), off (0), unknown (-1) */
    const char *phase;                  /* borrowed; NULL: no phase label */
    const char *info[RENDER_MAX_INFO];  /* borrowed; NULL entries are skipped */
    const struct render_bar_point *bar; /* borrowed trail, oldest first; NULL: none */
    int n_bar;
    double bar_speed_max_mps; /* top of the colour scale; <= 0: from the trail */
};

/* Reset `ov`: no pose, every angle NAN, contacts unknown, no labels, no bar. */
void render_overlay_init(struct render_overlay *ov);

/* Vendor series name of an angle ("lank_angle" ...); NULL when out of range. */
const char *render_angle_name(enum render_angle a);
/* BlazePose landmark index the label of angle `a` is drawn next to; -1 out of range. */
int render_angle_landmark(enum render_angle a);

/*
 * Colour of the bar-speed scale for speed v on [0, v_max] (clamped): blue,
 * cyan, green, yellow, red from slow to fast. rgb receives 0..255 values.
 */
void render_speed_color(double v, double v_max, uint8_t rgb[3]);

/*
 * Output size for a coord_w x coord_h source with long side at most
 * max_long_side_px (0 = RENDER_MAX_LONG_SIDE_PX): aspect kept, never larger
 * than the source, both even and >= 2. Errors: KZ_E_INVALID (size < 2).
 */
enum kz_err render_output_size(int coord_w, int coord_h, int max_long_side_px, int *out_w,
                               int *out_h, struct err_ctx *e);

struct render_opts {
    int max_long_side_px; /* 0 = RENDER_MAX_LONG_SIDE_PX */
};

struct render;

/*
 * Create a renderer for overlays given in a coord_w x coord_h coordinate
 * space; `o` may be NULL. Caller owns *out (render_destroy).
 * Errors: KZ_E_INVALID (sizes), KZ_E_NOMEM.
 */
enum kz_err render_create(int coord_w, int coord_h, const struct render_opts *o,
                          struct render **out, struct err_ctx *e);
void render_destroy(struct render *r); /* NULL-safe */

/* Size of the frames render_draw returns. */
void render_size(const struct render *r, int *out_w, int *out_h);

/*
 * Draw `ov` (borrowed; NULL = nothing) over `src` (borrowed, any size; it is
 * resized to the output size when it differs). *out is a frame owned by the
 * renderer, valid until the next call or render_destroy, carrying src's t_s
 * and index. Errors: KZ_E_INVALID (NULL args, empty frame).
 */
enum kz_err render_draw(struct render *r, const struct frame *src, const struct render_overlay *ov,
                        const struct frame **out, struct err_ctx *e);

#endif
