/* What generated code looks like: weights as string literals read through
 * a union, kernels calling libm, math.h macros that expand to builtins,
 * memcpy, and a driver calling the kernels. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <math.h>

int m_run(const float in_x[4], float out_y[4]);

static const union {
    struct {
        unsigned char c0[8];
        unsigned char c1[8];
    } chunks;
    float f32[4];
} m_weights = {{
    "\0\0\200?\0\0\0@",
    "\0\0@@\0\0\200@"
}};

typedef char m_weights_are_contiguous[sizeof m_weights.chunks == 16 ? 1 : -1];

static union {
    unsigned char bytes[64];
    double align_f64;
    int64_t align_i64;
} m_arena;

static void k0_exp(const float *restrict x0, float *restrict y0)
{
    for (size_t i = 0; i < 4; i++)
        y0[i] = expf(x0[i]) + m_weights.f32[i] + sqrtf(fabsf(x0[i])) + (float)pow(2.0, 0.5);
}

static void k1_clean(const float *restrict x0, float *restrict y0)
{
    static const int64_t pads[4] = {0, 1, 0, 1};
    for (size_t i = 0; i < 4; i++) {
        float v = x0[i];
        if (isnan(v) || isinf(v) || !isfinite(v) || fpclassify(v) == FP_SUBNORMAL)
            v = signbit(v) ? -HUGE_VALF : INFINITY;
        if (isunordered(v, NAN) || isgreater(v, 0.0f))
            v = fmaxf(v, 0.0f);
        y0[i] = v + (float)pads[i] + __builtin_fabsf(0.0f);
    }
}

static void k2_copy(const float *restrict x0, float *restrict y0)
{
    /* A local may be named like a forbidden function. */
    size_t free = 4 * sizeof(float);
    memcpy(y0, x0, free);
    memset(m_arena.bytes, 0, sizeof m_arena.bytes);
}

int m_run(const float in_x[4], float out_y[4])
{
    float *tmp = (float *)(void *)m_arena.bytes;
    k0_exp(in_x, tmp);
    k1_clean(tmp, tmp + 4);
    k2_copy(tmp + 4, out_y);
    return 0;
}
