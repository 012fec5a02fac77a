// SPDX-License-Identifier: GPL-3.0-or-later
/* Portable C99 layers and graph interpreter: see dw_nn.h for the contract. */
#include "dw_nn.h"

#include <math.h>
#include <string.h>

/* SSE2 (every x86-64) kernels for the conv (float and int8), int8 linear, max pool and
   quantize; without SSE2 (e.g. Cortex-M), or with DW_NN_NO_SIMD defined, the portable loops
   run. Both give the same results: int8 sums are exact in int32 whatever the order, and the
   float steps are the same IEEE operations in the same order (a float conv sum of exactly zero
   may differ in the sign of the zero). */
#if defined(__SSE2__) && !defined(DW_NN_NO_SIMD)
#include <emmintrin.h>
#define DW_NN_SSE2 1
#endif

/* ---------------------------------------------------------------- scalar helpers */

static float act_apply(int act, float x)
{
    switch (act) {
    case DW_ACT_RELU:
        return x > 0.0f ? x : 0.0f;
    case DW_ACT_SIGMOID:
        return 1.0f / (1.0f + expf(-x));
    case DW_ACT_TANH:
        /* tanh through expf only (the runtime's libm budget); saturates cleanly at +-1. */
        if (x > 15.0f)
            return 1.0f;
        if (x < -15.0f)
            return -1.0f;
        {
            float e = expf(2.0f * x);
            return (e - 1.0f) / (e + 1.0f);
        }
    default:
        return x;
    }
}

static int8_t clamp_i8(int32_t v, int32_t lo)
{
    if (v < lo)
        v = lo;
    if (v > 127)
        v = 127;
    return (int8_t)v;
}

/* round(x[i] / scale) + zp clamped to int8 for n values; branch-free so that it vectorises.
   Same results as dw_quantize_value (which calls it). */
#ifdef DW_NN_SSE2
static long quantize_f32_sse2(const float* x, int8_t* y, long n, float scale, int zp);
#endif

static void quantize_f32(const float* restrict x, int8_t* restrict y, long n, float scale, int zp)
{
    long i = 0;
#ifdef DW_NN_SSE2
    if (n >= 4)
        i = quantize_f32_sse2(x, y, n, scale, zp);
#endif
    for (; i < n; ++i) {
        float r = x[i] / scale;
        int32_t q;
        r = r > -1.0e6f ? r : -1.0e6f; /* also catches NaN */
        r = r < 1.0e6f ? r : 1.0e6f;
        q = (int32_t)(r >= 0.0f ? r + 0.5f : r - 0.5f) + zp;
        q = q < -128 ? -128 : q;
        y[i] = (int8_t)(q > 127 ? 127 : q);
    }
}

int8_t dw_quantize_value(float x, float scale, int zp)
{
    int8_t q;
    quantize_f32(&x, &q, 1, scale, zp);
    return q;
}

void dw_quantize_multiplier(double m, int32_t* mult, int32_t* shift)
{
    int e = 0;
    double q;
    if (!(m > 0.0)) {
        *mult = 0;
        *shift = 0;
        return;
    }
    /* m = f * 2^e with f in [0.5, 1), without frexp (keeps libm out of the runtime). */
    while (m >= 1.0) {
        m *= 0.5;
        ++e;
    }
    while (m < 0.5) {
        m *= 2.0;
        --e;
        if (e < -62) {
            *mult = 0;
            *shift = 0;
            return;
        }
    }
    q = m * 2147483648.0 + 0.5;
    if (q >= 2147483648.0) {
        q = 1073741824.0;
        ++e;
    }
    if (e > 30) { /* absurdly large multiplier: saturate */
        *mult = 2147483647;
        *shift = 30;
        return;
    }
    *mult = (int32_t)q;
    *shift = e;
}

int32_t dw_requantize(int32_t acc, int32_t mult, int32_t shift)
{
    int rs = 31 - (int)shift;
    int64_t p = (int64_t)acc * (int64_t)mult;
    int64_t r;
    if (mult == 0 || rs > 62)
        return 0;
    if (rs < 1)
        rs = 1;
    {
        /* Round half away from zero on magnitudes: no right shift of a negative number. */
        int64_t half = (int64_t)1 << (rs - 1);
        r = p >= 0 ? (p + half) >> rs : -((-p + half) >> rs);
    }
    if (r > 2147483647)
        return 2147483647;
    if (r < -2147483647)
        return -2147483647;
    return (int32_t)r;
}

/* ------------------------------------------ conv, linear and max-pool (float and int8 share) */

/* Output positions of one stack tile of a conv row (bounds the stack use to 256 bytes). */
#define DW_CONV_TILE 64

/* The outputs o in [*lo, *hi) of an axis with `out` outputs whose input index o*s - p + k lies in
   [0, in): kernel tap k reads real input there and padding (a real zero) elsewhere. */
static void tap_span(int k, int s, int p, int in, int out, int* lo, int* hi)
{
    const int first = p - k;         /* o*s >= p - k */
    const int last = in - 1 + p - k; /* o*s <= in - 1 + p - k */
    int l, h;
    if (last < 0) {
        *lo = *hi = 0;
        return;
    }
    if (s == 1) {
        l = first <= 0 ? 0 : first;
        h = last + 1;
    } else {
        l = first <= 0 ? 0 : (first + s - 1) / s;
        h = last / s + 1;
    }
    if (h > out)
        h = out;
    if (l > h)
        l = h;
    *lo = l;
    *hi = h;
}

/* The input indices [*lo, *hi) under window o of a pooling axis, clipped at both edges. */
static void window_span(int o, int s, int p, int k, int in, int* lo, int* hi)
{
    const int start = o * s - p;
    *lo = start < 0 ? 0 : start;
    *hi = start + k < in ? start + k : in;
}

/* Output channels one pass over an input row updates together (they share its loads). */
#define DW_CONV_OCB 4

/* The innermost loops of the conv, one definition for float and int8 (accumulator TA, weight
   and product TW, input TX). int8 products are exact in int16 (|x*w| <= 128*128) and are
   widened once when added, which vectorises as a 16-bit multiply:
   name##1: a[i] += w * x[i*s] for one output channel, any stride;
   name##4: four output channels, stride 1, four positions per step in straight-line code that
   compilers vectorise at -O2 already. */
#define DW_DEFINE_AXPY(name, TA, TW, TX)                                                           \
    static void name##1(TA* restrict a, const TX* restrict x, TW w, int n, int s)                  \
    {                                                                                              \
        int i;                                                                                     \
        for (i = 0; i < n; ++i)                                                                    \
            a[i] += (TW)(w * (TW)x[(long)i * s]);                                                  \
    }                                                                                              \
    static void name##4(TA* restrict a0, TA* restrict a1, TA* restrict a2, TA* restrict a3,        \
                        const TX* restrict x, const TW* w, int n)                                  \
    {                                                                                              \
        const TW w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];                                       \
        int i = 0;                                                                                 \
        for (; i + 4 <= n; i += 4) {                                                               \
            const TW x0 = (TW)x[i], x1 = (TW)x[i + 1], x2 = (TW)x[i + 2], x3 = (TW)x[i + 3];       \
            a0[i] += (TW)(w0 * x0);                                                                \
            a0[i + 1] += (TW)(w0 * x1);                                                            \
            a0[i + 2] += (TW)(w0 * x2);                                                            \
            a0[i + 3] += (TW)(w0 * x3);                                                            \
            a1[i] += (TW)(w1 * x0);                                                                \
            a1[i + 1] += (TW)(w1 * x1);                                                            \
            a1[i + 2] += (TW)(w1 * x2);                                                            \
            a1[i + 3] += (TW)(w1 * x3);                                                            \
            a2[i] += (TW)(w2 * x0);                                                                \
            a2[i + 1] += (TW)(w2 * x1);                                                            \
            a2[i + 2] += (TW)(w2 * x2);                                                            \
            a2[i + 3] += (TW)(w2 * x3);                                                            \
            a3[i] += (TW)(w3 * x0);                                                                \
            a3[i + 1] += (TW)(w3 * x1);                                                            \
            a3[i + 2] += (TW)(w3 * x2);                                                            \
            a3[i + 3] += (TW)(w3 * x3);                                                            \
        }                                                                                          \
        for (; i < n; ++i) {                                                                       \
            const TW xv = (TW)x[i];                                                                \
            a0[i] += (TW)(w0 * xv);                                                                \
            a1[i] += (TW)(w1 * xv);                                                                \
            a2[i] += (TW)(w2 * xv);                                                                \
            a3[i] += (TW)(w3 * xv);                                                                \
        }                                                                                          \
    }
DW_DEFINE_AXPY(axpy_f32_, float, float, float)
DW_DEFINE_AXPY(axpy_i8_, int32_t, int16_t, int8_t)
DW_DEFINE_AXPY(axpy_i16_, int32_t, int16_t, int16_t)

/* Requantises n int32 accumulators of output channel c of an int8 conv/linear to int8:
   clamp(out_zp + dw_requantize(acc, mult[c], shift[c]), lo, 127), with the per-channel rounding
   constants hoisted out of the loop (same results as dw_requantize: the int32 saturation there
   cannot change a value clamped to int8 here). `lo` is the clamp floor (out_zp for a ReLU). */
static void requant_out(const dw_layer* L, int c, const int32_t* acc, int n, int32_t lo, int8_t* y)
{
    const int64_t m = L->mult[c];
    int rs = 31 - (int)L->shift[c];
    int64_t half;
    int i;
    if (m == 0 || rs > 62) {
        for (i = 0; i < n; ++i)
            y[i] = clamp_i8(L->out_zp, lo);
        return;
    }
    if (rs < 1)
        rs = 1;
    half = (int64_t)1 << (rs - 1);
    for (i = 0; i < n; ++i) {
        const int64_t p = (int64_t)acc[i] * m;
        /* Round half away from zero on the magnitude (no right shift of a negative number). */
        int64_t r = ((p < 0 ? -p : p) + half) >> rs;
        if (r > 1024)
            r = 1024;
        y[i] = clamp_i8(L->out_zp + (int32_t)(p < 0 ? -r : r), lo);
    }
}

static int32_t relu_floor_q(const dw_layer* L)
{
    return L->act == DW_ACT_RELU ? (L->out_zp > -128 ? L->out_zp : -128) : -128;
}

/* Accumulators of one conv tile: DW_CONV_OCB output channels x DW_CONV_TILE positions (1 kB). */
typedef union conv_acc {
    float f[DW_CONV_OCB][DW_CONV_TILE];
    int32_t i[DW_CONV_OCB][DW_CONV_TILE];
} conv_acc;

/* How a conv reads its input: float; int8 staged per row into int16 with the zero point
   subtracted (|x - zp| <= 255, so w * (x - zp) is exact in int16); or int8 read in place with
   the zero point subtracted per tap afterwards (strides/kernels too wide for the stage). */
enum
{
    CONV_F32,
    CONV_I16_STAGED,
    CONV_I8_DIRECT
};

/* Input int16 values staged per row for int8 convs (384 bytes of stack). */
#define DW_CONV_STAGE 192

/* One kernel tap (ic, kh, kw) for the nb channels of a tile: acc[j][c0 + i] += w_j * x[i*s]. */
static void conv_tap(const dw_layer* L, conv_acc* acc, int kind, const void* x, long wo,
                     long wstride, int nb, int c0, int n)
{
    int i, j;
    if (kind == CONV_F32) {
        float w[DW_CONV_OCB];
        for (j = 0; j < nb; ++j)
            w[j] = ((const float*)L->weight)[wo + j * wstride];
        if (nb == DW_CONV_OCB && L->s_w == 1)
            axpy_f32_4(acc->f[0] + c0, acc->f[1] + c0, acc->f[2] + c0, acc->f[3] + c0,
                       (const float*)x, w, n);
        else
            for (j = 0; j < nb; ++j)
                axpy_f32_1(acc->f[j] + c0, (const float*)x, w[j], n, L->s_w);
        return;
    }
    {
        int16_t w[DW_CONV_OCB];
        for (j = 0; j < nb; ++j)
            w[j] = ((const int8_t*)L->weight)[wo + j * wstride];
        if (kind == CONV_I16_STAGED && nb == DW_CONV_OCB && L->s_w == 1)
            axpy_i16_4(acc->i[0] + c0, acc->i[1] + c0, acc->i[2] + c0, acc->i[3] + c0,
                       (const int16_t*)x, w, n);
        else if (kind == CONV_I16_STAGED)
            for (j = 0; j < nb; ++j)
                axpy_i16_1(acc->i[j] + c0, (const int16_t*)x, w[j], n, L->s_w);
        else {
            if (nb == DW_CONV_OCB && L->s_w == 1)
                axpy_i8_4(acc->i[0] + c0, acc->i[1] + c0, acc->i[2] + c0, acc->i[3] + c0,
                          (const int8_t*)x, w, n);
            else
                for (j = 0; j < nb; ++j)
                    axpy_i8_1(acc->i[j] + c0, (const int8_t*)x, w[j], n, L->s_w);
            for (j = 0; j < nb; ++j) {
                const int32_t zw = L->in_zp * (int32_t)w[j];
                for (i = 0; i < n; ++i)
                    acc->i[j][c0 + i] -= zw;
            }
        }
    }
}

/* Bias into the tile (channels oc0..oc0+nb-1, n positions). */
static void conv_tile_init(const dw_layer* L, conv_acc* acc, int q, int oc0, int nb, int n)
{
    int i, j;
    for (j = 0; j < nb; ++j) {
        if (q) {
            const int32_t b = L->bias ? ((const int32_t*)L->bias)[oc0 + j] : 0;
            for (i = 0; i < n; ++i)
                acc->i[j][i] = b;
        } else {
            const float b = L->bias ? ((const float*)L->bias)[oc0 + j] : 0.0f;
            for (i = 0; i < n; ++i)
                acc->f[j][i] = b;
        }
    }
}

/* The tile to the output (fused ReLU; int8: requantised), y at element yo of channel oc0. */
static void conv_tile_store(const dw_layer* L, const conv_acc* acc, int q, int oc0, int nb, int n,
                            void* y, long yo)
{
    const long plane = (long)L->out_h * L->out_w;
    const int32_t floor_q = relu_floor_q(L);
    int i, j;
    for (j = 0; j < nb; ++j) {
        if (q) {
            int8_t* yq = (int8_t*)y + yo + j * plane;
            requant_out(L, oc0 + j, acc->i[j], n, floor_q, yq);
        } else {
            float* yf = (float*)y + yo + j * plane;
            for (i = 0; i < n; ++i)
                yf[i] = L->act == DW_ACT_RELU && acc->f[j][i] < 0.0f ? 0.0f : acc->f[j][i];
        }
    }
}

#ifdef DW_NN_SSE2
/* ------------------------------------------------ int8 conv/linear as int16 x int8 dot products */

/* SSE2 int8 conv/linear. Strided convs and linear layers run as dot products of length K
   (conv: in_c*k_h*k_w, linear: in_c) between int8 weight rows, read in place in their table
   layout, and int16 columns holding x - in_zp (exact: |x - zp| <= 255), zero for padding and
   for the row tail [K, Kp) with Kp the next multiple of 8; columns live in a stack buffer of
   DW_COL_CAP values (1 kB). Stride-1 convs use conv_q_rows below. Layers too large for the
   stack buffers take the portable tap-wise path above. Sums are exact int32 in any order (8
   multiply-adds per pmaddwd), so every path gives the same int8 outputs. */
#define DW_COL_CAP 512

/* Weights of block b (8 values) of a row; the block past K's last multiple of 8 comes from
   `tail` (8 readable bytes: the row's own bytes followed by the next row's, or a zero-padded
   copy for the table's last row). Columns are zero there, so those weights do not count. */
typedef struct dot_row
{
    const int8_t* w;    /* K weights */
    const int8_t* tail; /* 8 bytes for the partial block, or NULL when K % 8 == 0 */
    int full;           /* K / 8 */
    int k;              /* K */
} dot_row;

/* out[t] = sum_r col[t*kp + r] * w[r] for `np` (1 or 4) columns. */
static inline void dot_cols(const int16_t* col, long kp, const dot_row* R, int np, int32_t* out)
{
    const int nb = R->full + (R->tail ? 1 : 0);
    __m128i a0 = _mm_setzero_si128(), a1 = a0, a2 = a0, a3 = a0;
    int b;
    for (b = 0; b < nb; ++b) {
        const int8_t* wp = b < R->full ? R->w + 8 * b : R->tail;
        const __m128i wb = _mm_loadl_epi64((const __m128i*)(const void*)wp);
        const __m128i wv = _mm_srai_epi16(_mm_unpacklo_epi8(wb, wb), 8);
        const int16_t* c = col + 8 * b;
        a0 = _mm_add_epi32(a0, _mm_madd_epi16(_mm_loadu_si128((const __m128i*)(const void*)c), wv));
        if (np == 4) {
            a1 = _mm_add_epi32(
                a1, _mm_madd_epi16(_mm_loadu_si128((const __m128i*)(const void*)(c + kp)), wv));
            a2 = _mm_add_epi32(
                a2, _mm_madd_epi16(_mm_loadu_si128((const __m128i*)(const void*)(c + 2 * kp)), wv));
            a3 = _mm_add_epi32(
                a3, _mm_madd_epi16(_mm_loadu_si128((const __m128i*)(const void*)(c + 3 * kp)), wv));
        }
    }
    {
        /* Transposed horizontal sums: lane t of s is the total of a_t. */
        const __m128i s01 = _mm_add_epi32(_mm_unpacklo_epi32(a0, a1), _mm_unpackhi_epi32(a0, a1));
        const __m128i s23 = _mm_add_epi32(_mm_unpacklo_epi32(a2, a3), _mm_unpackhi_epi32(a2, a3));
        const __m128i s = _mm_add_epi32(_mm_unpacklo_epi64(s01, s23), _mm_unpackhi_epi64(s01, s23));
        if (np == 4)
            _mm_storeu_si128((__m128i*)(void*)out, s);
        else
            out[0] = _mm_cvtsi128_si32(s);
    }
}

/* clamp(out_zp + round(acc * M), lo, 127) as dw_requantize (half away from zero). */
static int8_t requant1(int32_t acc, int64_t m, int rs, int64_t half, int32_t zp, int32_t lo)
{
    const int64_t p = (int64_t)acc * m;
    int64_t r = ((p < 0 ? -p : p) + half) >> rs;
    int32_t v;
    r = r > 1024 ? 1024 : r;
    v = zp + (int32_t)(p < 0 ? -r : r);
    v = v < lo ? lo : v;
    return (int8_t)(v > 127 ? 127 : v);
}

/* The requantisation constants of channel c; 0 when the multiplier is zero (output = zp). */
static int requant_consts(const dw_layer* L, int c, int64_t* m, int* rs, int64_t* half)
{
    int s = 31 - (int)L->shift[c];
    *m = L->mult[c];
    if (*m == 0 || s > 62)
        return 0;
    if (s < 1)
        s = 1;
    *rs = s;
    *half = (int64_t)1 << (s - 1);
    return 1;
}

/* Row r of a weight table of n rows of K int8 values, with its partial-block source. */
static void dot_row_init(dot_row* R, const int8_t* w, int k, int r, int n, int8_t* pad8)
{
    R->w = w + (long)r * k;
    R->k = k;
    R->full = k / 8;
    R->tail = 0;
    if (k % 8) {
        if (r + 1 < n && k >= 8) {
            R->tail = R->w + 8 * R->full; /* runs into row r + 1: same array */
        } else {
            int i;
            for (i = 0; i < 8; ++i)
                pad8[i] = i < k % 8 ? R->w[8 * R->full + i] : 0;
            R->tail = pad8;
        }
    }
}

/* requant1 on the 4 int32 lanes of one channel with SSE2, bit-identical: |acc| is clamped to
   the smallest magnitude whose result reaches 1024 (amax, so products and shifts stay in
   unsigned 64-bit lanes and results below 2^31), then round half away from zero by the same
   (|acc| * m + half) >> rs, the same min 1024, sign, + zp and clamp to [lo, 127]. */
typedef struct requant_sse2
{
    __m128i m, half, rs, amax, amax_flip;
} requant_sse2;

static void requant_sse2_init(requant_sse2* R, int64_t m, int rs, int64_t half)
{
    uint64_t amax = 2147483648u; /* |acc| <= 2^31: unreachable unless the bound below is less */
    if (rs <= 53) {
        const uint64_t t = ((uint64_t)1024 << rs) - (uint64_t)half;
        const uint64_t need = (t + (uint64_t)m - 1) / (uint64_t)m;
        if (need < amax)
            amax = need;
    }
    R->m = _mm_set1_epi32((int32_t)m);
    R->half = _mm_set1_epi64x(half);
    R->rs = _mm_cvtsi32_si128(rs);
    R->amax = _mm_set1_epi32((int32_t)(uint32_t)amax);
    R->amax_flip = _mm_set1_epi32((int32_t)((uint32_t)amax ^ 0x80000000u));
}

static inline __m128i requant_sse2_run(const requant_sse2* R, __m128i acc)
{
    const __m128i sign = _mm_srai_epi32(acc, 31);
    const __m128i flip = _mm_set1_epi32((int32_t)0x80000000u);
    const __m128i cap = _mm_set1_epi32(1024);
    __m128i a = _mm_sub_epi32(_mm_xor_si128(acc, sign), sign); /* |acc| as unsigned */
    __m128i gt = _mm_cmpgt_epi32(_mm_xor_si128(a, flip), R->amax_flip);
    __m128i pe, po, r;
    a = _mm_or_si128(_mm_and_si128(gt, R->amax), _mm_andnot_si128(gt, a));
    pe = _mm_srl_epi64(_mm_add_epi64(_mm_mul_epu32(a, R->m), R->half), R->rs);
    po = _mm_srl_epi64(_mm_add_epi64(_mm_mul_epu32(_mm_srli_epi64(a, 32), R->m), R->half), R->rs);
    r = _mm_or_si128(_mm_and_si128(pe, _mm_set_epi32(0, -1, 0, -1)), _mm_slli_epi64(po, 32));
    gt = _mm_cmpgt_epi32(r, cap);
    r = _mm_or_si128(_mm_and_si128(gt, cap), _mm_andnot_si128(gt, r));
    return _mm_sub_epi32(_mm_xor_si128(r, sign), sign);
}

/* Stride-1 int8 conv with the output positions in SIMD lanes (no column copies). Per block of 4
   output channels, output row and tile of positions, the input rows the tile reads are staged as
   int16 x - in_zp with zero padding, P[ic*k_h + kh][j] = x[ic][ih0 + kh][o0 - p_w + j]; taps
   are taken in pairs (weight order [ic][kh][kw]) so that one pmaddwd adds two taps of 4
   positions: acc[o] += w_a * P_a[o + kw_a] + w_b * P_b[o + kw_b]. Exact int32 like every path.
   When a whole output row fits one tile (1-D convs), all channel blocks share one stage. */
#define DW_ROW_STAGE 1024 /* int16 values of the stage (2 kB) */
#define DW_ROW_TAPS 256   /* largest in_c*k_h*k_w on this path */

static int conv_q_rows(const dw_layer* L, const int8_t* x, int8_t* y)
{
    int16_t P[DW_ROW_STAGE];
    int32_t wp[4][DW_ROW_TAPS / 2];
    int16_t off[DW_ROW_TAPS + 1];
    __m128i acc[4][2], bias[4];
    requant_sse2 rq[4];
    int live[4];
    const int8_t* W = (const int8_t*)L->weight;
    const int K = L->in_c * L->k_h * L->k_w;
    const int npair = (K + 1) / 2;
    const int rows = L->in_c * L->k_h;
    const long plane = (long)L->out_h * L->out_w;
    const int32_t lo = relu_floor_q(L);
    const __m128i zpv = _mm_set1_epi32(L->out_zp),
                  lov = _mm_set1_epi16((int16_t)(lo < 127 ? lo : 127));
    int tmax, ntiles, T, sw, oc0, oh, o0, t, i, j, r, pi, staged_oh = -1, staged_o0 = -1;
    if (L->s_w != 1 || K > DW_ROW_TAPS)
        return 0;
    /* Tile: a row of the stage holds ceil8(T) + k_w - 1 values plus 8 of slack for the loads. */
    tmax = (DW_ROW_STAGE / rows - L->k_w - 7) / 8 * 8;
    if (tmax < 8)
        return 0;
    ntiles = (L->out_w + tmax - 1) / tmax;
    T = (L->out_w + ntiles - 1) / ntiles;
    sw = (T + 7) / 8 * 8 + L->k_w + 7;
    for (r = 0; r < K; ++r) {
        const int kw = r % L->k_w;
        off[r] = (int16_t)((r / L->k_w) * sw + kw);
    }
    off[K] = 0; /* the odd tap's partner: weight 0 */
    for (oc0 = 0; oc0 < L->out_c; oc0 += 4) {
        const int nb = L->out_c - oc0 < 4 ? L->out_c - oc0 : 4;
        for (j = 0; j < 4; ++j) {
            const int8_t* w = W + (long)(oc0 + (j < nb ? j : 0)) * K;
            int64_t m, half;
            int rs;
            live[j] = j < nb && requant_consts(L, oc0 + j, &m, &rs, &half);
            if (live[j])
                requant_sse2_init(&rq[j], m, rs, half);
            bias[j] = _mm_set1_epi32(j < nb && L->bias ? ((const int32_t*)L->bias)[oc0 + j] : 0);
            if (j >= nb) {
                for (pi = 0; pi < npair; ++pi)
                    wp[j][pi] = 0;
                continue;
            }
            for (pi = 0; pi < K / 2; ++pi)
                wp[j][pi] = (int32_t)((uint32_t)(uint16_t)w[2 * pi] |
                                      ((uint32_t)(uint16_t)w[2 * pi + 1] << 16));
            if (K % 2)
                wp[j][pi] = (int32_t)(uint32_t)(uint16_t)w[K - 1];
        }
        for (oh = 0; oh < L->out_h; ++oh) {
            const int ih0 = oh * L->s_h - L->p_h;
            for (o0 = 0; o0 < L->out_w; o0 += T) {
                const int n = L->out_w - o0 < T ? L->out_w - o0 : T;
                const int iw0 = o0 - L->p_w;
                /* Stage: columns j with 0 <= iw0 + j < in_w are real input, the rest zero. */
                const int jlo = iw0 < 0 ? -iw0 : 0;
                const int jhi = L->in_w - iw0 < sw ? L->in_w - iw0 : sw;
                for (r = 0; r < rows && (oh != staged_oh || o0 != staged_o0); ++r) {
                    const int ih = ih0 + r % L->k_h;
                    int16_t* pr = P + (long)r * sw;
                    if (ih < 0 || ih >= L->in_h || jhi <= jlo) {
                        for (j = 0; j < sw; ++j)
                            pr[j] = 0;
                        continue;
                    }
                    {
                        const int8_t* xr = x + ((long)(r / L->k_h) * L->in_h + ih) * L->in_w + iw0;
                        const __m128i zpv = _mm_set1_epi16((int16_t)L->in_zp);
                        for (j = 0; j < jlo; ++j)
                            pr[j] = 0;
                        for (; j + 8 <= jhi; j += 8) { /* 8 bytes, sign-extended, minus zp */
                            const __m128i b =
                                _mm_loadl_epi64((const __m128i*)(const void*)(xr + j));
                            _mm_storeu_si128(
                                (__m128i*)(void*)(pr + j),
                                _mm_sub_epi16(_mm_srai_epi16(_mm_unpacklo_epi8(b, b), 8), zpv));
                        }
                        for (; j < jhi; ++j)
                            pr[j] = (int16_t)(xr[j] - L->in_zp);
                        for (; j < sw; ++j)
                            pr[j] = 0;
                    }
                }
                staged_oh = oh; /* the next channel block reuses this stage (one tile) */
                staged_o0 = o0;
                for (t = 0; t < n; t += 8) {
                    const int lanes = n - t < 8 ? n - t : 8;
                    __m128i a00 = _mm_setzero_si128(), a01 = a00, a10 = a00, a11 = a00;
                    __m128i a20 = a00, a21 = a00, a30 = a00, a31 = a00;
                    const int16_t* pt = P + t;
                    if (lanes > 4)
                        for (pi = 0; pi < npair; ++pi) {
                            const __m128i va =
                                _mm_loadu_si128((const __m128i*)(const void*)(pt + off[2 * pi]));
                            const __m128i vb = _mm_loadu_si128(
                                (const __m128i*)(const void*)(pt + off[2 * pi + 1]));
                            const __m128i l = _mm_unpacklo_epi16(va, vb),
                                          h = _mm_unpackhi_epi16(va, vb);
                            __m128i w = _mm_set1_epi32(wp[0][pi]);
                            a00 = _mm_add_epi32(a00, _mm_madd_epi16(l, w));
                            a01 = _mm_add_epi32(a01, _mm_madd_epi16(h, w));
                            w = _mm_set1_epi32(wp[1][pi]);
                            a10 = _mm_add_epi32(a10, _mm_madd_epi16(l, w));
                            a11 = _mm_add_epi32(a11, _mm_madd_epi16(h, w));
                            w = _mm_set1_epi32(wp[2][pi]);
                            a20 = _mm_add_epi32(a20, _mm_madd_epi16(l, w));
                            a21 = _mm_add_epi32(a21, _mm_madd_epi16(h, w));
                            w = _mm_set1_epi32(wp[3][pi]);
                            a30 = _mm_add_epi32(a30, _mm_madd_epi16(l, w));
                            a31 = _mm_add_epi32(a31, _mm_madd_epi16(h, w));
                        }
                    else
                        for (pi = 0; pi < npair; ++pi) {
                            const __m128i va =
                                _mm_loadu_si128((const __m128i*)(const void*)(pt + off[2 * pi]));
                            const __m128i vb = _mm_loadu_si128(
                                (const __m128i*)(const void*)(pt + off[2 * pi + 1]));
                            const __m128i l = _mm_unpacklo_epi16(va, vb);
                            a00 = _mm_add_epi32(a00, _mm_madd_epi16(l, _mm_set1_epi32(wp[0][pi])));
                            a10 = _mm_add_epi32(a10, _mm_madd_epi16(l, _mm_set1_epi32(wp[1][pi])));
                            a20 = _mm_add_epi32(a20, _mm_madd_epi16(l, _mm_set1_epi32(wp[2][pi])));
                            a30 = _mm_add_epi32(a30, _mm_madd_epi16(l, _mm_set1_epi32(wp[3][pi])));
                        }
                    acc[0][0] = a00;
                    acc[0][1] = a01;
                    acc[1][0] = a10;
                    acc[1][1] = a11;
                    acc[2][0] = a20;
                    acc[2][1] = a21;
                    acc[3][0] = a30;
                    acc[3][1] = a31;
                    for (j = 0; j < nb; ++j) {
                        int8_t* yo = y + (oc0 + j) * plane + (long)oh * L->out_w + o0 + t;
                        __m128i v;
                        if (!live[j]) {
                            for (i = 0; i < lanes; ++i)
                                yo[i] = clamp_i8(L->out_zp, lo);
                            continue;
                        }
                        v = _mm_packs_epi32(
                            _mm_add_epi32(
                                requant_sse2_run(&rq[j], _mm_add_epi32(acc[j][0], bias[j])), zpv),
                            _mm_add_epi32(
                                requant_sse2_run(&rq[j], _mm_add_epi32(acc[j][1], bias[j])), zpv));
                        v = _mm_min_epi16(_mm_max_epi16(v, lov), _mm_set1_epi16(127));
                        v = _mm_packs_epi16(v, v);
                        if (lanes == 8) {
                            _mm_storel_epi64((__m128i*)(void*)yo, v);
                        } else {
                            int8_t tmp[16];
                            _mm_storeu_si128((__m128i*)(void*)tmp, v);
                            for (i = 0; i < lanes; ++i)
                                yo[i] = tmp[i];
                        }
                    }
                }
            }
        }
    }
    return 1;
}

/* Stride-1 float conv with 8 output positions in two SSE lanes of 4, 4 output channels per pass:
   the input rows a tile reads are staged with zero padding as in conv_q_rows, then per tap
   (order [ic][kh][kw], like conv_run) acc += w * x with separate multiply and add. Each output
   gets bias + the same products in the same order as conv_run; padding taps add w * 0, which
   can only turn a -0.0 sum into +0.0. Returns 0 when the shape does not fit the stage. */
#define DW_ROW_STAGE_F 1024 /* float values of the stage (4 kB) */

static int conv_f_rows(const dw_layer* L, const float* x, float* y)
{
    float P[DW_ROW_STAGE_F];
    int16_t off[DW_ROW_TAPS];
    const float* W = (const float*)L->weight;
    const int K = L->in_c * L->k_h * L->k_w;
    const int rows = L->in_c * L->k_h;
    const long plane = (long)L->out_h * L->out_w;
    const int relu = L->act == DW_ACT_RELU;
    int tmax, ntiles, T, sw, oc0, oh, o0, t, i, j, r, staged_oh = -1, staged_o0 = -1;
    if (L->s_w != 1 || K > DW_ROW_TAPS)
        return 0;
    tmax = (DW_ROW_STAGE_F / rows - L->k_w - 7) / 8 * 8;
    if (tmax < 8)
        return 0;
    ntiles = (L->out_w + tmax - 1) / tmax;
    T = (L->out_w + ntiles - 1) / ntiles;
    sw = (T + 7) / 8 * 8 + L->k_w + 7;
    for (r = 0; r < K; ++r)
        off[r] = (int16_t)((r / L->k_w) * sw + r % L->k_w);
    for (oc0 = 0; oc0 < L->out_c; oc0 += 4) {
        const int nb = L->out_c - oc0 < 4 ? L->out_c - oc0 : 4;
        const float* w[4];
        __m128 bias[4];
        for (j = 0; j < 4; ++j) { /* channels past out_c repeat the last one, not stored */
            const int c = oc0 + (j < nb ? j : nb - 1);
            w[j] = W + (long)c * K;
            bias[j] = _mm_set1_ps(L->bias ? ((const float*)L->bias)[c] : 0.0f);
        }
        for (oh = 0; oh < L->out_h; ++oh) {
            const int ih0 = oh * L->s_h - L->p_h;
            for (o0 = 0; o0 < L->out_w; o0 += T) {
                const int n = L->out_w - o0 < T ? L->out_w - o0 : T;
                const int iw0 = o0 - L->p_w;
                const int jlo = iw0 < 0 ? -iw0 : 0;
                const int jhi = L->in_w - iw0 < sw ? L->in_w - iw0 : sw;
                for (r = 0; r < rows && (oh != staged_oh || o0 != staged_o0); ++r) {
                    const int ih = ih0 + r % L->k_h;
                    float* pr = P + (long)r * sw;
                    if (ih < 0 || ih >= L->in_h || jhi <= jlo) {
                        for (j = 0; j < sw; ++j)
                            pr[j] = 0.0f;
                        continue;
                    }
                    {
                        const float* xr = x + ((long)(r / L->k_h) * L->in_h + ih) * L->in_w + iw0;
                        for (j = 0; j < jlo; ++j)
                            pr[j] = 0.0f;
                        for (; j < jhi; ++j)
                            pr[j] = xr[j];
                        for (; j < sw; ++j)
                            pr[j] = 0.0f;
                    }
                }
                staged_oh = oh; /* the next channel block reuses this stage (one tile) */
                staged_o0 = o0;
                for (t = 0; t < n; t += 8) {
                    const int lanes = n - t < 8 ? n - t : 8;
                    const float* pt = P + t;
                    __m128 a00 = bias[0], a01 = bias[0], a10 = bias[1], a11 = bias[1];
                    __m128 a20 = bias[2], a21 = bias[2], a30 = bias[3], a31 = bias[3];
                    __m128 acc[8];
                    for (r = 0; r < K; ++r) {
                        const __m128 v0 = _mm_loadu_ps(pt + off[r]);
                        const __m128 v1 = _mm_loadu_ps(pt + off[r] + 4);
                        __m128 wv = _mm_set1_ps(w[0][r]);
                        a00 = _mm_add_ps(a00, _mm_mul_ps(wv, v0));
                        a01 = _mm_add_ps(a01, _mm_mul_ps(wv, v1));
                        wv = _mm_set1_ps(w[1][r]);
                        a10 = _mm_add_ps(a10, _mm_mul_ps(wv, v0));
                        a11 = _mm_add_ps(a11, _mm_mul_ps(wv, v1));
                        wv = _mm_set1_ps(w[2][r]);
                        a20 = _mm_add_ps(a20, _mm_mul_ps(wv, v0));
                        a21 = _mm_add_ps(a21, _mm_mul_ps(wv, v1));
                        wv = _mm_set1_ps(w[3][r]);
                        a30 = _mm_add_ps(a30, _mm_mul_ps(wv, v0));
                        a31 = _mm_add_ps(a31, _mm_mul_ps(wv, v1));
                    }
                    acc[0] = a00;
                    acc[1] = a01;
                    acc[2] = a10;
                    acc[3] = a11;
                    acc[4] = a20;
                    acc[5] = a21;
                    acc[6] = a30;
                    acc[7] = a31;
                    for (j = 0; j < nb; ++j) {
                        float* yo = y + (oc0 + j) * plane + (long)oh * L->out_w + o0 + t;
                        __m128 v0 = acc[2 * j], v1 = acc[2 * j + 1];
                        if (relu) { /* max(0, a) keeps NaN and -0.0 as `a < 0 ? 0 : a` */
                            v0 = _mm_max_ps(_mm_setzero_ps(), v0);
                            v1 = _mm_max_ps(_mm_setzero_ps(), v1);
                        }
                        if (lanes == 8) {
                            _mm_storeu_ps(yo, v0);
                            _mm_storeu_ps(yo + 4, v1);
                        } else {
                            float tmp[8];
                            _mm_storeu_ps(tmp, v0);
                            _mm_storeu_ps(tmp + 4, v1);
                            for (i = 0; i < lanes; ++i)
                                yo[i] = tmp[i];
                        }
                    }
                }
            }
        }
    }
    return 1;
}

/* int8 conv through columns; returns 0 (nothing done) when a column does not fit the stack. */
static int conv_q_cols(const dw_layer* L, const int8_t* x, int8_t* y)
{
    int16_t col[DW_COL_CAP];
    int8_t pad8[8];
    const int K = L->in_c * L->k_h * L->k_w;
    const int kp = (K + 7) / 8 * 8;
    const long plane = (long)L->out_h * L->out_w;
    const int32_t lo = relu_floor_q(L);
    const int16_t zp = (int16_t)L->in_zp;
    int tile, oh, o0, t, oc, ic, kh, kw, r;
    if (kp > DW_COL_CAP)
        return 0;
    tile = DW_COL_CAP / kp;
    if (tile >= 4)
        tile -= tile % 4;
    for (oh = 0; oh < L->out_h; ++oh) {
        const int ih0 = oh * L->s_h - L->p_h;
        for (o0 = 0; o0 < L->out_w; o0 += tile) {
            const int n = L->out_w - o0 < tile ? L->out_w - o0 : tile;
            /* Columns of the n positions: [ic][kh][kw] as the weights, padding zero. */
            for (t = 0; t < n; ++t) {
                int16_t* c = col + (long)t * kp;
                const int iw0 = (o0 + t) * L->s_w - L->p_w;
                const int inside = iw0 >= 0 && iw0 + L->k_w <= L->in_w;
                r = 0;
                for (ic = 0; ic < L->in_c; ++ic)
                    for (kh = 0; kh < L->k_h; ++kh) {
                        const int ih = ih0 + kh;
                        const int8_t* xr = x + ((long)ic * L->in_h + ih) * L->in_w;
                        if (ih < 0 || ih >= L->in_h)
                            for (kw = 0; kw < L->k_w; ++kw)
                                c[r++] = 0;
                        else if (inside)
                            for (kw = 0; kw < L->k_w; ++kw)
                                c[r++] = (int16_t)(xr[iw0 + kw] - zp);
                        else
                            for (kw = 0; kw < L->k_w; ++kw) {
                                const int iw = iw0 + kw;
                                c[r++] = iw >= 0 && iw < L->in_w ? (int16_t)(xr[iw] - zp) : 0;
                            }
                    }
                for (; r < kp; ++r)
                    c[r] = 0;
            }
            for (oc = 0; oc < L->out_c; ++oc) {
                const int32_t b = L->bias ? ((const int32_t*)L->bias)[oc] : 0;
                int8_t* yo = y + oc * plane + (long)oh * L->out_w + o0;
                int64_t m, half;
                int rs;
                int32_t acc[4];
                dot_row R;
                if (!requant_consts(L, oc, &m, &rs, &half)) {
                    for (t = 0; t < n; ++t)
                        yo[t] = clamp_i8(L->out_zp, lo);
                    continue;
                }
                dot_row_init(&R, (const int8_t*)L->weight, K, oc, L->out_c, pad8);
                for (t = 0; t + 4 <= n; t += 4) {
                    dot_cols(col + (long)t * kp, kp, &R, 4, acc);
                    yo[t] = requant1(acc[0] + b, m, rs, half, L->out_zp, lo);
                    yo[t + 1] = requant1(acc[1] + b, m, rs, half, L->out_zp, lo);
                    yo[t + 2] = requant1(acc[2] + b, m, rs, half, L->out_zp, lo);
                    yo[t + 3] = requant1(acc[3] + b, m, rs, half, L->out_zp, lo);
                }
                for (; t < n; ++t) {
                    dot_cols(col + (long)t * kp, kp, &R, 1, acc);
                    yo[t] = requant1(acc[0] + b, m, rs, half, L->out_zp, lo);
                }
            }
        }
    }
    return 1;
}

/* int8 linear through one column; returns 0 when in_c does not fit the stack. */
static int linear_q_cols(const dw_layer* L, const int8_t* x, int8_t* y)
{
    int16_t col[DW_COL_CAP];
    int8_t pad8[8];
    const int K = L->in_c;
    const int kp = (K + 7) / 8 * 8;
    const int32_t lo = relu_floor_q(L);
    int r, oc;
    if (kp > DW_COL_CAP)
        return 0;
    for (r = 0; r < K; ++r)
        col[r] = (int16_t)(x[r] - L->in_zp);
    for (; r < kp; ++r)
        col[r] = 0;
    for (oc = 0; oc < L->out_c; ++oc) {
        const int32_t b = L->bias ? ((const int32_t*)L->bias)[oc] : 0;
        int64_t m, half;
        int rs;
        int32_t acc;
        dot_row R;
        if (!requant_consts(L, oc, &m, &rs, &half)) {
            y[oc] = clamp_i8(L->out_zp, lo);
            continue;
        }
        dot_row_init(&R, (const int8_t*)L->weight, K, oc, L->out_c, pad8);
        dot_cols(col, kp, &R, 1, &acc);
        y[oc] = requant1(acc + b, m, rs, half, L->out_zp, lo);
    }
    return 1;
}

#endif /* DW_NN_SSE2 */

/* The SSE2 int8 conv: rows kernel for stride 1, columns otherwise; 0 when neither applies. */
static int conv_q_fast(const dw_layer* L, const void* x, void* y)
{
#ifdef DW_NN_SSE2
    return conv_q_rows(L, (const int8_t*)x, (int8_t*)y) ||
           conv_q_cols(L, (const int8_t*)x, (int8_t*)y);
#else
    (void)L;
    (void)x;
    (void)y;
    return 0;
#endif
}

static int conv_f_fast(const dw_layer* L, const void* x, void* y)
{
#ifdef DW_NN_SSE2
    return conv_f_rows(L, (const float*)x, (float*)y);
#else
    (void)L;
    (void)x;
    (void)y;
    return 0;
#endif
}

static int linear_q_fast(const dw_layer* L, const void* x, void* y)
{
#ifdef DW_NN_SSE2
    return linear_q_cols(L, (const int8_t*)x, (int8_t*)y);
#else
    (void)L;
    (void)x;
    (void)y;
    return 0;
#endif
}

/* Float (q = 0) or int8 (q = 1) convolution [in_c][in_h][in_w] -> [out_c][out_h][out_w].
   Per block of DW_CONV_OCB output channels and tile of an output row, per input channel and
   kernel row (int8: that input row staged once as int16 minus the zero point), per kernel column
   kw the span of outputs whose tap reads real input is computed once and the innermost loop runs
   along the output row with no bounds checks: borders are handled by the span, not by tests.
   Padding contributes nothing (for int8 it is the zero point, a real zero), so int8 results are
   exactly bias + sum of (x - in_zp) * w in int32. */
static void conv_run(const dw_layer* L, const void* x, void* y, int q)
{
    conv_acc acc;
    int16_t stage[DW_CONV_STAGE];
    const long in_plane = (long)L->in_h * L->in_w;
    const long wstride = (long)L->in_c * L->k_h * L->k_w; /* weights per output channel */
    const int kind = !q                                                            ? CONV_F32
                     : (long)(DW_CONV_TILE - 1) * L->s_w + L->k_w <= DW_CONV_STAGE ? CONV_I16_STAGED
                                                                                   : CONV_I8_DIRECT;
    const int xsize = kind == CONV_F32 ? 4 : kind == CONV_I16_STAGED ? 2 : 1;
    int oc0, oh, o0, kw, ic, kh, c;
    for (oc0 = 0; oc0 < L->out_c; oc0 += DW_CONV_OCB) {
        const int nb = L->out_c - oc0 < DW_CONV_OCB ? L->out_c - oc0 : DW_CONV_OCB;
        for (oh = 0; oh < L->out_h; ++oh) {
            const int ih0 = oh * L->s_h - L->p_h;
            const int kh_lo = ih0 < 0 ? -ih0 : 0;
            const int kh_hi = L->in_h - ih0 < L->k_h ? L->in_h - ih0 : L->k_h;
            for (o0 = 0; o0 < L->out_w; o0 += DW_CONV_TILE) {
                const int n = L->out_w - o0 < DW_CONV_TILE ? L->out_w - o0 : DW_CONV_TILE;
                /* Input columns this tile reads: [c_lo, c_hi). */
                const int c_lo = o0 * L->s_w - L->p_w < 0 ? 0 : o0 * L->s_w - L->p_w;
                const int c_end = (o0 + n - 1) * L->s_w - L->p_w + L->k_w;
                const int c_hi = c_end < L->in_w ? c_end : L->in_w;
                conv_tile_init(L, &acc, q, oc0, nb, n);
                for (ic = 0; ic < L->in_c; ++ic)
                    for (kh = kh_lo; kh < kh_hi; ++kh) {
                        const long row = ic * in_plane + (long)(ih0 + kh) * L->in_w;
                        const char* src = (const char*)x + row * (q ? 1 : 4);
                        int base = 0; /* input column of src[0] */
                        if (kind == CONV_I16_STAGED) {
                            for (c = c_lo; c < c_hi; ++c)
                                stage[c - c_lo] = (int16_t)(((const int8_t*)src)[c] - L->in_zp);
                            src = (const char*)stage;
                            base = c_lo;
                        }
                        for (kw = 0; kw < L->k_w; ++kw) {
                            int lo, hi;
                            tap_span(kw, L->s_w, L->p_w, L->in_w, L->out_w, &lo, &hi);
                            lo = lo > o0 ? lo : o0;
                            hi = hi < o0 + n ? hi : o0 + n;
                            if (lo >= hi)
                                continue;
                            conv_tap(L, &acc, kind,
                                     src + ((long)lo * L->s_w - L->p_w + kw - base) * xsize,
                                     oc0 * wstride + (ic * (long)L->k_h + kh) * L->k_w + kw,
                                     wstride, nb, lo - o0, hi - lo);
                        }
                    }
                conv_tile_store(L, &acc, q, oc0, nb, n, y,
                                (long)oc0 * L->out_h * L->out_w + (long)oh * L->out_w + o0);
            }
        }
    }
}

static float dot_f32(const float* restrict a, const float* restrict b, int n)
{
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; ++i)
        s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

/* sum a*b, and in *bsum the sum of b (for the zero-point correction). */
static int32_t dot_i8(const int8_t* restrict a, const int8_t* restrict b, int n, int32_t* bsum)
{
    int32_t s = 0, t = 0;
    int i;
    for (i = 0; i < n; ++i) {
        s += (int16_t)a[i] * (int16_t)b[i];
        t += b[i];
    }
    *bsum = t;
    return s;
}

/* Float (q = 0) or int8 (q = 1) y = W x + b, W [out_c][in_c]; int8 as in conv_run. */
static void linear_run(const dw_layer* L, const void* x, void* y, int q)
{
    const int32_t floor_q = relu_floor_q(L);
    int o;
    for (o = 0; o < L->out_c; ++o) {
        const long wo = (long)o * L->in_c;
        if (q) {
            int32_t wsum;
            int32_t acc = dot_i8((const int8_t*)x, (const int8_t*)L->weight + wo, L->in_c, &wsum);
            acc += (L->bias ? ((const int32_t*)L->bias)[o] : 0) - L->in_zp * wsum;
            requant_out(L, o, &acc, 1, floor_q, (int8_t*)y + o);
        } else {
            float acc = (L->bias ? ((const float*)L->bias)[o] : 0.0f) +
                        dot_f32((const float*)L->weight + wo, (const float*)x, L->in_c);
            ((float*)y)[o] = L->act == DW_ACT_RELU && acc < 0.0f ? 0.0f : acc;
        }
    }
}

/* Max pool of one element type, row by row: per kernel column kw the span of outputs whose tap
   falls inside the input is computed once (windows clipped at the edges), so no test per tap. */
#define DW_DEFINE_MAXPOOL(name, T, LOWEST)                                                         \
    static void name(const dw_layer* L, const T* x, T* y)                                          \
    {                                                                                              \
        int c, oh, ow, ih, kw, h0, h1, lo, hi;                                                     \
        for (c = 0; c < L->out_c; ++c) {                                                           \
            for (oh = 0; oh < L->out_h; ++oh) {                                                    \
                T* restrict yr = y + ((long)c * L->out_h + oh) * L->out_w;                         \
                for (ow = 0; ow < L->out_w; ++ow)                                                  \
                    yr[ow] = LOWEST;                                                               \
                window_span(oh, L->s_h, L->p_h, L->k_h, L->in_h, &h0, &h1);                        \
                for (ih = h0; ih < h1; ++ih) {                                                     \
                    const T* restrict xr = x + ((long)c * L->in_h + ih) * L->in_w;                 \
                    for (kw = 0; kw < L->k_w; ++kw) {                                              \
                        tap_span(kw, L->s_w, L->p_w, L->in_w, L->out_w, &lo, &hi);                 \
                        for (ow = lo; ow < hi; ++ow) {                                             \
                            const T v = xr[(long)ow * L->s_w - L->p_w + kw];                       \
                            yr[ow] = v > yr[ow] ? v : yr[ow];                                      \
                        }                                                                          \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }
DW_DEFINE_MAXPOOL(maxpool_f32, float, -3.402823466e38f)
DW_DEFINE_MAXPOOL(maxpool_i8, int8_t, -128)

#ifdef DW_NN_SSE2
/* Max pool with 2-wide windows at stride 2 along rows (k_h = 1, no padding), the common 1-D
   pool: 16 int8 or 8 float inputs per step; windows clipped at the row end run the loop of
   maxpool_*. Same results: max(-128, a, b) and max(max(-FLT_MAX, a), b) as there (maxps keeps
   its second operand on NaN exactly like `a > m ? a : m`). Returns 0 when the shape differs. */
static int maxpool2_fast(const dw_layer* L, const void* x, void* y, int q)
{
    int c, oh, ow;
    if (L->k_h != 1 || L->p_h != 0 || L->k_w != 2 || L->s_w != 2 || L->p_w != 0)
        return 0;
    for (c = 0; c < L->out_c; ++c)
        for (oh = 0; oh < L->out_h; ++oh) {
            const long xo = ((long)c * L->in_h + (long)oh * L->s_h) * L->in_w;
            const long yo = ((long)c * L->out_h + oh) * L->out_w;
            ow = 0;
            if (q) {
                const int8_t* xr = (const int8_t*)x + xo;
                int8_t* yr = (int8_t*)y + yo;
                const __m128i flip = _mm_set1_epi8((char)0x80), low = _mm_set1_epi16(0xff);
                for (; 2 * ow + 16 <= L->in_w && ow + 8 <= L->out_w; ow += 8) {
                    const __m128i u = _mm_xor_si128(
                        _mm_loadu_si128((const __m128i*)(const void*)(xr + 2 * ow)), flip);
                    const __m128i mx = _mm_and_si128(_mm_max_epu8(u, _mm_srli_epi16(u, 8)), low);
                    _mm_storel_epi64((__m128i*)(void*)(yr + ow),
                                     _mm_xor_si128(_mm_packus_epi16(mx, mx), flip));
                }
                for (; ow < L->out_w; ++ow) {
                    int8_t m = xr[2 * ow];
                    if (2 * ow + 1 < L->in_w && xr[2 * ow + 1] > m)
                        m = xr[2 * ow + 1];
                    yr[ow] = m;
                }
            } else {
                const float* xr = (const float*)x + xo;
                float* yr = (float*)y + yo;
                const __m128 lowest = _mm_set1_ps(-3.402823466e38f);
                for (; 2 * ow + 8 <= L->in_w && ow + 4 <= L->out_w; ow += 4) {
                    const __m128 v0 = _mm_loadu_ps(xr + 2 * ow), v1 = _mm_loadu_ps(xr + 2 * ow + 4);
                    const __m128 a = _mm_shuffle_ps(v0, v1, _MM_SHUFFLE(2, 0, 2, 0));
                    const __m128 b = _mm_shuffle_ps(v0, v1, _MM_SHUFFLE(3, 1, 3, 1));
                    _mm_storeu_ps(yr + ow, _mm_max_ps(b, _mm_max_ps(a, lowest)));
                }
                for (; ow < L->out_w; ++ow) {
                    float m = xr[2 * ow] > -3.402823466e38f ? xr[2 * ow] : -3.402823466e38f;
                    if (2 * ow + 1 < L->in_w)
                        m = xr[2 * ow + 1] > m ? xr[2 * ow + 1] : m;
                    yr[ow] = m;
                }
            }
        }
    return 1;
}

/* quantize_f32, 4 values per step with the same IEEE operations (divide, clamp to +-1e6 with
   NaN to -1e6, +-0.5 by sign, truncate, add zp) and int8 saturation by packing. */
static long quantize_f32_sse2(const float* x, int8_t* y, long n, float scale, int zp)
{
    const __m128 s = _mm_set1_ps(scale), lo = _mm_set1_ps(-1.0e6f), hi = _mm_set1_ps(1.0e6f);
    const __m128 half = _mm_set1_ps(0.5f), zero = _mm_setzero_ps();
    const __m128i z = _mm_set1_epi32(zp);
    long i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m128 r = _mm_min_ps(_mm_max_ps(_mm_div_ps(_mm_loadu_ps(x + i), s), lo), hi);
        const __m128 pos = _mm_cmpge_ps(r, zero);
        const __m128 t = _mm_or_ps(_mm_and_ps(pos, _mm_add_ps(r, half)),
                                   _mm_andnot_ps(pos, _mm_sub_ps(r, half)));
        const __m128i q = _mm_add_epi32(_mm_cvttps_epi32(t), z);
        const __m128i b = _mm_packs_epi16(_mm_packs_epi32(q, q), _mm_setzero_si128());
        const int32_t v = _mm_cvtsi128_si32(b);
        memcpy(y + i, &v, 4);
    }
    return i;
}
#endif

static int maxpool_fast(const dw_layer* L, const void* x, void* y, int q)
{
#ifdef DW_NN_SSE2
    return maxpool2_fast(L, x, y, q);
#else
    (void)L;
    (void)x;
    (void)y;
    (void)q;
    return 0;
#endif
}

/* ---------------------------------------------------------------- other layers */

static long in_count(const dw_layer* L)
{
    return (long)L->in_c * L->in_h * L->in_w;
}

long dw_layer_out_count(const dw_layer* L)
{
    return (long)L->out_c * L->out_h * L->out_w;
}

static void softmax_f32(const dw_layer* L, const float* x, float* y)
{
    const int n = L->in_c;
    float m = x[0], s = 0.0f;
    int i;
    for (i = 1; i < n; ++i)
        if (x[i] > m)
            m = x[i];
    for (i = 0; i < n; ++i) {
        y[i] = expf(x[i] - m);
        s += y[i];
    }
    for (i = 0; i < n; ++i)
        y[i] /= s;
}

#define DW_DEFINE_TRANSPOSE(name, T)                                                               \
    static void name(const dw_layer* L, const T* restrict x, T* restrict y)                        \
    {                                                                                              \
        int c, h, w;                                                                               \
        for (c = 0; c < L->in_c; ++c) {                                                            \
            const T* xc = x + (long)c * L->in_h * L->in_w;                                         \
            for (w = 0; w < L->in_w; ++w)                                                          \
                for (h = 0; h < L->in_h; ++h)                                                      \
                    *y++ = xc[(long)h * L->in_w + w];                                              \
        }                                                                                          \
    }
DW_DEFINE_TRANSPOSE(transpose_f32, float)
DW_DEFINE_TRANSPOSE(transpose_i8, int8_t)

/* The cascade of one element: h_k = act(a_k + sum_j Wdd_k[j][c] h_j); returns sum Wtop[k][c] h_k.
   a[k] holds the pre-activations (dequantised for int8). */
static float dendrite_element(const dw_layer* L, int c, const float* a)
{
    float h[DW_NN_MAX_DENDRITES];
    const int C = L->out_c;
    float sum = 0.0f;
    int k, j;
    for (k = 0; k < L->n_dendrites; ++k) {
        float v = a[k];
        const float* wdd = L->wdd + (long)(k * (k - 1) / 2) * C + c;
        for (j = 0; j < k; ++j)
            v += wdd[(long)j * C] * h[j];
        h[k] = act_apply(L->dact, v);
        sum += L->wtop[(long)k * C + c] * h[k];
    }
    return sum;
}

/* Float (q = 0) or int8 (q = 1) dendrite combine; int8 dequantises z and the branches, combines
   in float and requantises. The output may alias z (each element is read before it is written). */
static void dendrite_run(const dw_layer* L, const void* z, void* y, const unsigned char* scratch,
                         int q)
{
    const long P = (long)L->out_h * L->out_w;
    float a[DW_NN_MAX_DENDRITES];
    int c, k;
    long p;
    for (c = 0; c < L->out_c; ++c) {
        for (p = 0; p < P; ++p) {
            const long idx = c * P + p;
            float v;
            for (k = 0; k < L->n_dendrites; ++k) {
                const void* br = scratch + L->branch[k];
                a[k] = q ? L->branch_scale[k] *
                               (float)((int)((const int8_t*)br)[idx] - L->branch_zp[k])
                         : ((const float*)br)[idx];
            }
            v = q ? L->in_scale * (float)((int)((const int8_t*)z)[idx] - L->in_zp)
                  : ((const float*)z)[idx];
            v += dendrite_element(L, c, a);
            if (L->act == DW_ACT_RELU && v < 0.0f)
                v = 0.0f;
            if (q)
                ((int8_t*)y)[idx] = dw_quantize_value(v, L->out_scale, L->out_zp);
            else
                ((float*)y)[idx] = v;
        }
    }
}

/* ---------------------------------------------------------------- dispatch */

static int is_dendrite(int op)
{
    return op == DW_OP_DENDRITE || op == DW_OP_DENDRITE_Q;
}

/* Bytes per input and output element of an op; 0 for an unknown op. */
static int elem_in(int op)
{
    if (op >= DW_OP_CONV1D && op <= DW_OP_ACT)
        return 4;
    if (op == DW_OP_QUANTIZE)
        return 4;
    if (op >= DW_OP_DEQUANTIZE && op <= DW_OP_ACT_Q)
        return 1;
    return 0;
}

static int elem_out(int op)
{
    if (op == DW_OP_DEQUANTIZE)
        return 4;
    if (op == DW_OP_QUANTIZE)
        return 1;
    return elem_in(op);
}

static int conv_extent(int in, int k, int s, int p)
{
    if (s <= 0 || k <= 0 || in + 2 * p < k)
        return -1;
    return (in + 2 * p - k) / s + 1;
}

/* Pooling output: floor mode, or ceil mode (Keras 'same' for stride = kernel) whose last window
   still starts inside the input or its left padding, as PyTorch's ceil_mode. */
static int pool_extent_ok(int in, int k, int s, int p, int out)
{
    int fl = conv_extent(in, k, s, p), cl;
    if (fl < 0)
        return 0;
    cl = (in + 2 * p - k + s - 1) / s + 1;
    if ((cl - 1) * s >= in + p)
        --cl;
    return out == fl || out == cl;
}

static int check_shapes(const dw_layer* L)
{
    if (L->in_c <= 0 || L->in_h <= 0 || L->in_w <= 0 || L->out_c <= 0 || L->out_h <= 0 ||
        L->out_w <= 0)
        return DW_ERR_SHAPE;
    switch (L->op) {
    case DW_OP_CONV1D:
    case DW_OP_CONV2D:
    case DW_OP_CONV_Q:
        if (!L->weight || conv_extent(L->in_h, L->k_h, L->s_h, L->p_h) != L->out_h ||
            conv_extent(L->in_w, L->k_w, L->s_w, L->p_w) != L->out_w)
            return DW_ERR_SHAPE;
        if (L->op == DW_OP_CONV1D && (L->in_h != 1 || L->k_h != 1))
            return DW_ERR_SHAPE;
        if (L->op == DW_OP_CONV_Q && (!L->mult || !L->shift))
            return DW_ERR_ARG;
        return DW_OK;
    case DW_OP_MAXPOOL:
    case DW_OP_MAXPOOL_Q:
        if (L->out_c != L->in_c || !pool_extent_ok(L->in_h, L->k_h, L->s_h, L->p_h, L->out_h) ||
            !pool_extent_ok(L->in_w, L->k_w, L->s_w, L->p_w, L->out_w))
            return DW_ERR_SHAPE;
        return DW_OK;
    case DW_OP_LINEAR:
    case DW_OP_LINEAR_Q:
        if (!L->weight || L->out_h != 1 || L->out_w != 1)
            return DW_ERR_SHAPE;
        if (L->in_h != 1 || L->in_w != 1)
            return DW_ERR_SHAPE;
        if (L->op == DW_OP_LINEAR_Q && (!L->mult || !L->shift))
            return DW_ERR_ARG;
        return DW_OK;
    case DW_OP_TRANSPOSE:
    case DW_OP_TRANSPOSE_Q:
        if (L->out_c != L->in_c || L->out_h != L->in_w || L->out_w != L->in_h)
            return DW_ERR_SHAPE;
        return DW_OK;
    case DW_OP_DENDRITE:
    case DW_OP_DENDRITE_Q:
        if (L->out_c != L->in_c || L->out_h != L->in_h || L->out_w != L->in_w)
            return DW_ERR_SHAPE;
        if (L->n_dendrites < 0 || L->n_dendrites > DW_NN_MAX_DENDRITES)
            return DW_ERR_SHAPE;
        if (L->n_dendrites > 0 && (!L->branch || !L->wtop || (L->n_dendrites > 1 && !L->wdd)))
            return DW_ERR_ARG;
        if (L->op == DW_OP_DENDRITE_Q && L->n_dendrites > 0 && (!L->branch_scale || !L->branch_zp))
            return DW_ERR_ARG;
        return DW_OK;
    case DW_OP_SOFTMAX:
    case DW_OP_RELU:
    case DW_OP_RELU_Q:
    case DW_OP_COPY:
    case DW_OP_COPY_Q:
    case DW_OP_ACT:
    case DW_OP_ACT_Q:
    case DW_OP_QUANTIZE:
    case DW_OP_DEQUANTIZE:
        return dw_layer_out_count(L) == in_count(L) ? DW_OK : DW_ERR_SHAPE;
    default:
        return DW_ERR_OP;
    }
}

static int range_ok(long off, long bytes, long total)
{
    return off >= 0 && bytes >= 0 && off + bytes <= total && (off % 4) == 0;
}

int dw_model_check(const dw_model* m)
{
    int i, k;
    if (!m || !m->layers || m->n_layers < 0 || m->scratch_bytes <= 0)
        return DW_ERR_ARG;
    if (!range_ok(m->input_offset, (long)m->input_size * 4, m->scratch_bytes) ||
        !range_ok(m->output_offset, (long)m->output_size * 4, m->scratch_bytes))
        return DW_ERR_SCRATCH;
    for (i = 0; i < m->n_layers; ++i) {
        const dw_layer* L = &m->layers[i];
        int st = check_shapes(L);
        if (st != DW_OK)
            return st;
        if (!range_ok(L->in, in_count(L) * elem_in(L->op), m->scratch_bytes) ||
            !range_ok(L->out, dw_layer_out_count(L) * elem_out(L->op), m->scratch_bytes))
            return DW_ERR_SCRATCH;
        if (is_dendrite(L->op))
            for (k = 0; k < L->n_dendrites; ++k)
                if (!range_ok(L->branch[k], dw_layer_out_count(L) * elem_in(L->op),
                              m->scratch_bytes))
                    return DW_ERR_SCRATCH;
    }
    return DW_OK;
}

int dw_layer_run(const dw_layer* L, const void* in, void* out, unsigned char* scratch)
{
    long i, n;
    if (!L || !in || !out)
        return DW_ERR_ARG;
    {
        int st = check_shapes(L);
        if (st != DW_OK)
            return st;
    }
    if (is_dendrite(L->op) && L->n_dendrites > 0 && !scratch)
        return DW_ERR_ARG;
    n = in_count(L);
    switch (L->op) {
    case DW_OP_CONV1D:
    case DW_OP_CONV2D:
        if (!conv_f_fast(L, in, out))
            conv_run(L, in, out, 0);
        break;
    case DW_OP_LINEAR:
        linear_run(L, in, out, 0);
        break;
    case DW_OP_RELU:
        for (i = 0; i < n; ++i) {
            const float v = ((const float*)in)[i];
            ((float*)out)[i] = v > 0.0f ? v : 0.0f;
        }
        break;
    case DW_OP_ACT:
        for (i = 0; i < n; ++i)
            ((float*)out)[i] = act_apply(L->act, ((const float*)in)[i]);
        break;
    case DW_OP_MAXPOOL:
        if (!maxpool_fast(L, in, out, 0))
            maxpool_f32(L, (const float*)in, (float*)out);
        break;
    case DW_OP_DENDRITE:
        dendrite_run(L, in, out, scratch, 0);
        break;
    case DW_OP_SOFTMAX:
        softmax_f32(L, (const float*)in, (float*)out);
        break;
    case DW_OP_TRANSPOSE:
        if (in == out)
            return DW_ERR_ARG;
        transpose_f32(L, (const float*)in, (float*)out);
        break;
    case DW_OP_COPY: /* in place is a reshape: nothing to move */
        if (in != out)
            memmove(out, in, (size_t)n * sizeof(float));
        break;
    case DW_OP_QUANTIZE:
        if ((const char*)in < (const char*)out + n && (const char*)out < (const char*)in + 4 * n)
            for (i = 0; i < n; ++i) /* overlapping: one by one, front to back */
                ((int8_t*)out)[i] =
                    dw_quantize_value(((const float*)in)[i], L->out_scale, L->out_zp);
        else
            quantize_f32((const float*)in, (int8_t*)out, n, L->out_scale, L->out_zp);
        break;
    case DW_OP_DEQUANTIZE:
        /* Backwards so that an output overlapping the input's start is still correct. */
        for (i = n - 1; i >= 0; --i)
            ((float*)out)[i] = L->in_scale * (float)((int)((const int8_t*)in)[i] - L->in_zp);
        break;
    case DW_OP_CONV_Q:
        if (!conv_q_fast(L, in, out))
            conv_run(L, in, out, 1);
        break;
    case DW_OP_LINEAR_Q:
        if (!linear_q_fast(L, in, out))
            linear_run(L, in, out, 1);
        break;
    case DW_OP_RELU_Q:
        for (i = 0; i < n; ++i) {
            const int8_t v = ((const int8_t*)in)[i];
            ((int8_t*)out)[i] = v > L->in_zp ? v : (int8_t)L->in_zp;
        }
        break;
    case DW_OP_ACT_Q:
        for (i = 0; i < n; ++i) {
            const float v = L->in_scale * (float)((int)((const int8_t*)in)[i] - L->in_zp);
            ((int8_t*)out)[i] = dw_quantize_value(act_apply(L->act, v), L->out_scale, L->out_zp);
        }
        break;
    case DW_OP_MAXPOOL_Q:
        if (!maxpool_fast(L, in, out, 1))
            maxpool_i8(L, (const int8_t*)in, (int8_t*)out);
        break;
    case DW_OP_DENDRITE_Q:
        dendrite_run(L, in, out, scratch, 1);
        break;
    case DW_OP_TRANSPOSE_Q:
        if (in == out)
            return DW_ERR_ARG;
        transpose_i8(L, (const int8_t*)in, (int8_t*)out);
        break;
    case DW_OP_COPY_Q:
        if (in != out)
            memmove(out, in, (size_t)n);
        break;
    default:
        return DW_ERR_OP;
    }
    return DW_OK;
}

long dw_layer_macs(const dw_layer* L)
{
    switch (L->op) {
    case DW_OP_CONV1D:
    case DW_OP_CONV2D:
    case DW_OP_CONV_Q:
        return dw_layer_out_count(L) * L->in_c * L->k_h * L->k_w;
    case DW_OP_LINEAR:
    case DW_OP_LINEAR_Q:
        return (long)L->out_c * L->in_c;
    case DW_OP_DENDRITE:
    case DW_OP_DENDRITE_Q:
        /* Wtop scale-and-add plus the cascade terms, per output element. */
        return dw_layer_out_count(L) *
               ((long)L->n_dendrites + (long)L->n_dendrites * (L->n_dendrites - 1) / 2);
    default:
        return 0;
    }
}

int dw_model_run_hooked(const dw_model* m, void* scratch, const float* input, float* output,
                        dw_layer_hook hook, void* user)
{
    unsigned char* s = (unsigned char*)scratch;
    int i, st;
    if (!m || !scratch || !input || !output || ((size_t)scratch % 4) != 0)
        return DW_ERR_ARG;
    st = dw_model_check(m);
    if (st != DW_OK)
        return st;
    memcpy(s + m->input_offset, input, (size_t)m->input_size * sizeof(float));
    for (i = 0; i < m->n_layers; ++i) {
        const dw_layer* L = &m->layers[i];
        st = dw_layer_run(L, s + L->in, s + L->out, s);
        if (st != DW_OK)
            return st;
        if (hook)
            hook(i, L, s, user);
    }
    memcpy(output, s + m->output_offset, (size_t)m->output_size * sizeof(float));
    return DW_OK;
}

int dw_model_run(const dw_model* m, void* scratch, const float* input, float* output)
{
    return dw_model_run_hooked(m, scratch, input, output, 0, 0);
}

const char* dw_status_text(int status)
{
    switch (status) {
    case DW_OK:
        return "ok";
    case DW_ERR_ARG:
        return "bad argument (null pointer, misaligned scratch or missing table field)";
    case DW_ERR_OP:
        return "unknown layer op code";
    case DW_ERR_SCRATCH:
        return "a layer reads or writes outside the scratch buffer";
    case DW_ERR_SHAPE:
        return "inconsistent layer shapes";
    default:
        return "unknown status";
    }
}
