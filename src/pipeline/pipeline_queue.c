/*
 * pipeline_queue.c — the bounded frame queue between the pipeline's threads
 * (see pipeline_int.h): a producer fills the slot after the filled ones while
 * the consumer reads the oldest, so slots are never shared and the mutex only
 * guards the counters and flags.
 */
#include "pipeline/pipeline_int.h"

#include <string.h>

void pl_fq_init(struct pl_fqueue *q)
{
    memset(q, 0, sizeof(*q));
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
}

void pl_fq_destroy(struct pl_fqueue *q)
{
    for (int i = 0; i < PL_QUEUE_SLOTS; i++)
        frame_free(&q->slot[i]);
    pthread_cond_destroy(&q->cv);
    pthread_mutex_destroy(&q->mu);
}

/* Producer: the next empty slot, waiting for one; NULL once the queue is aborted. */
struct frame *pl_fq_acquire(struct pl_fqueue *q)
{
    struct frame *f = NULL;
    pthread_mutex_lock(&q->mu);
    while (q->count == PL_QUEUE_SLOTS && !q->aborted)
        pthread_cond_wait(&q->cv, &q->mu);
    if (!q->aborted)
        f = &q->slot[(q->head + q->count) % PL_QUEUE_SLOTS];
    pthread_mutex_unlock(&q->mu);
    return f;
}

/* Producer: the slot from fq_acquire is filled. */
void pl_fq_commit(struct pl_fqueue *q)
{
    pthread_mutex_lock(&q->mu);
    q->count++;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

/* Consumer: the oldest filled slot, waiting for one; NULL when closed and drained, or aborted. */
const struct frame *pl_fq_peek(struct pl_fqueue *q)
{
    const struct frame *f = NULL;
    pthread_mutex_lock(&q->mu);
    while (q->count == 0 && !q->closed && !q->aborted)
        pthread_cond_wait(&q->cv, &q->mu);
    if (q->count > 0 && !q->aborted)
        f = &q->slot[q->head];
    pthread_mutex_unlock(&q->mu);
    return f;
}

/* Consumer: done with the slot from fq_peek. */
void pl_fq_release(struct pl_fqueue *q)
{
    pthread_mutex_lock(&q->mu);
    q->head = (q->head + 1) % PL_QUEUE_SLOTS;
    q->count--;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

static void fq_set_flag(struct pl_fqueue *q, int *flag)
{
    pthread_mutex_lock(&q->mu);
    *flag = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

void pl_fq_close(struct pl_fqueue *q)
{
    fq_set_flag(q, &q->closed);
}
void pl_fq_abort(struct pl_fqueue *q)
{
    fq_set_flag(q, &q->aborted);
}

/* Copy pixels, t_s and index of `src` into slot `dst` (allocated on first use). */
enum kz_err pl_frame_fill(struct frame *dst, const struct frame *src, struct err_ctx *e)
{
    if (dst->data && (dst->width != src->width || dst->height != src->height))
        frame_free(dst);
    if (!dst->data) {
        enum kz_err rc = frame_alloc(dst, src->width, src->height, e);
        if (rc != KZ_OK)
            return rc;
    }
    for (int y = 0; y < src->height; y++)
        memcpy(dst->data + (size_t)y * dst->stride, src->data + (size_t)y * src->stride,
               (size_t)src->width * 3);
    dst->t_s = src->t_s;
    dst->index = src->index;
    return KZ_OK;
}

int pl_fq_slot_index(const struct pl_fqueue *q, const struct frame *f)
{
    return (int)(f - q->slot);
}
