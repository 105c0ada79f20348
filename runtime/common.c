/* scnnc runtime: definitions every kernel helper uses. */
#ifndef SCNN_COMMON_C
#define SCNN_COMMON_C

#include <math.h>

/* acc += a * b. fmaf is one instruction where FP_FAST_FMAF says so (and then
 * also vectorises); elsewhere it is a slow library call, and a multiply and
 * an add are used instead. */
#ifdef FP_FAST_FMAF
#define SCNN_FMA(acc, a, b) ((acc) = fmaf((a), (b), (acc)))
#else
#define SCNN_FMA(acc, a, b) ((acc) += (a) * (b))
#endif

#endif
