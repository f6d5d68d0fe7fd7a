/*
 * worker_int.h — stages implemented in their own files, listed in
 * worker_stages[] (stages.c).
 */
#ifndef KZ_WORKER_INT_H
#define KZ_WORKER_INT_H

#include "worker/worker.h"

/* Pose, analysis and the analyzed video for running and jumping (stage_analysis.c). */
enum kz_err worker_stage_analysis(struct worker_job *j, struct err_ctx *e);

#endif
