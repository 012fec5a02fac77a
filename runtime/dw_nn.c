// SPDX-License-Identifier: GPL-3.0-or-later
/* Portable C99 layers and graph interpreter: see dw_nn.h for the contract. */
#include "dw_nn.h"

#include <math.h>
#include <string.h>

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

int8_t dw_quantize_value(float x, float scale, int zp)
{
    float r = x / scale;
    int32_t q;
    if (!(r > -1.0e6f)) /* also catches NaN */
        r = -1.0e6f;
    if (r > 1.0e6f)
        r = 1.0e6f;
    q = (int32_t)(r >= 0.0f ? r + 0.5f : r - 0.5f) + zp;
    return clamp_i8(q, -128);
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

/* ---------------------------------------------------------------- float layers */

static void conv_f32(const dw_layer* L, const float* x, float* y)
{
    const float* w = (const float*)L->weight;
    const float* b = (const float*)L->bias;
    const int in_plane = L->in_h * L->in_w;
    const int ksz = L->k_h * L->k_w;
    int oc, oh, ow, ic, kh, kw;
    for (oc = 0; oc < L->out_c; ++oc) {
        const float bias = b ? b[oc] : 0.0f;
        const float* woc = w + (long)oc * L->in_c * ksz;
        for (oh = 0; oh < L->out_h; ++oh) {
            const int ih0 = oh * L->s_h - L->p_h;
            const int kh_lo = ih0 < 0 ? -ih0 : 0;
            const int kh_hi = L->in_h - ih0 < L->k_h ? L->in_h - ih0 : L->k_h;
            for (ow = 0; ow < L->out_w; ++ow) {
                const int iw0 = ow * L->s_w - L->p_w;
                const int kw_lo = iw0 < 0 ? -iw0 : 0;
                const int kw_hi = L->in_w - iw0 < L->k_w ? L->in_w - iw0 : L->k_w;
                float acc = bias;
                for (ic = 0; ic < L->in_c; ++ic) {
                    const float* xp = x + (long)ic * in_plane;
                    const float* wp = woc + (long)ic * ksz;
                    for (kh = kh_lo; kh < kh_hi; ++kh) {
                        const float* xr = xp + (ih0 + kh) * L->in_w + iw0;
                        const float* wr = wp + kh * L->k_w;
                        for (kw = kw_lo; kw < kw_hi; ++kw)
                            acc += xr[kw] * wr[kw];
                    }
                }
                if (L->act == DW_ACT_RELU && acc < 0.0f)
                    acc = 0.0f;
                y[((long)oc * L->out_h + oh) * L->out_w + ow] = acc;
            }
        }
    }
}

static void linear_f32(const dw_layer* L, const float* x, float* y)
{
    const float* w = (const float*)L->weight;
    const float* b = (const float*)L->bias;
    int o, i;
    for (o = 0; o < L->out_c; ++o) {
        const float* wr = w + (long)o * L->in_c;
        float acc = b ? b[o] : 0.0f;
        for (i = 0; i < L->in_c; ++i)
            acc += wr[i] * x[i];
        if (L->act == DW_ACT_RELU && acc < 0.0f)
            acc = 0.0f;
        y[o] = acc;
    }
}

static long in_count(const dw_layer* L) { return (long)L->in_c * L->in_h * L->in_w; }

long dw_layer_out_count(const dw_layer* L) { return (long)L->out_c * L->out_h * L->out_w; }

static void maxpool_f32(const dw_layer* L, const float* x, float* y)
{
    int c, oh, ow, kh, kw;
    for (c = 0; c < L->out_c; ++c) {
        const float* xp = x + (long)c * L->in_h * L->in_w;
        for (oh = 0; oh < L->out_h; ++oh) {
            for (ow = 0; ow < L->out_w; ++ow) {
                float m = -3.402823466e38f;
                for (kh = 0; kh < L->k_h; ++kh) {
                    const int ih = oh * L->s_h - L->p_h + kh;
                    if (ih < 0 || ih >= L->in_h)
                        continue;
                    for (kw = 0; kw < L->k_w; ++kw) {
                        const int iw = ow * L->s_w - L->p_w + kw;
                        if (iw >= 0 && iw < L->in_w && xp[ih * L->in_w + iw] > m)
                            m = xp[ih * L->in_w + iw];
                    }
                }
                y[((long)c * L->out_h + oh) * L->out_w + ow] = m;
            }
        }
    }
}

static void maxpool_i8(const dw_layer* L, const int8_t* x, int8_t* y)
{
    int c, oh, ow, kh, kw;
    for (c = 0; c < L->out_c; ++c) {
        const int8_t* xp = x + (long)c * L->in_h * L->in_w;
        for (oh = 0; oh < L->out_h; ++oh) {
            for (ow = 0; ow < L->out_w; ++ow) {
                int m = -128;
                for (kh = 0; kh < L->k_h; ++kh) {
                    const int ih = oh * L->s_h - L->p_h + kh;
                    if (ih < 0 || ih >= L->in_h)
                        continue;
                    for (kw = 0; kw < L->k_w; ++kw) {
                        const int iw = ow * L->s_w - L->p_w + kw;
                        if (iw >= 0 && iw < L->in_w && xp[ih * L->in_w + iw] > m)
                            m = xp[ih * L->in_w + iw];
                    }
                }
                y[((long)c * L->out_h + oh) * L->out_w + ow] = (int8_t)m;
            }
        }
    }
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
    static void name(const dw_layer* L, const T* x, T* y)                                          \
    {                                                                                              \
        int c, h, w;                                                                               \
        const long plane = (long)L->in_h * L->in_w;                                                \
        for (c = 0; c < L->in_c; ++c)                                                              \
            for (h = 0; h < L->in_h; ++h)                                                          \
                for (w = 0; w < L->in_w; ++w)                                                      \
                    y[c * plane + (long)w * L->in_h + h] = x[c * plane + (long)h * L->in_w + w];   \
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

static void dendrite_f32(const dw_layer* L, const float* z, float* y, const unsigned char* scratch)
{
    const long P = (long)L->out_h * L->out_w;
    float a[DW_NN_MAX_DENDRITES];
    int c, k;
    long p;
    for (c = 0; c < L->out_c; ++c) {
        for (p = 0; p < P; ++p) {
            const long idx = c * P + p;
            float v;
            for (k = 0; k < L->n_dendrites; ++k)
                a[k] = ((const float*)(const void*)(scratch + L->branch[k]))[idx];
            v = z[idx] + dendrite_element(L, c, a);
            if (L->act == DW_ACT_RELU && v < 0.0f)
                v = 0.0f;
            y[idx] = v;
        }
    }
}

/* ---------------------------------------------------------------- int8 layers */

static void conv_i8(const dw_layer* L, const int8_t* x, int8_t* y)
{
    const int8_t* w = (const int8_t*)L->weight;
    const int32_t* b = (const int32_t*)L->bias;
    const int in_plane = L->in_h * L->in_w;
    const int ksz = L->k_h * L->k_w;
    const int32_t zx = L->in_zp;
    const int32_t lo = L->act == DW_ACT_RELU ? (L->out_zp > -128 ? L->out_zp : -128) : -128;
    int oc, oh, ow, ic, kh, kw;
    for (oc = 0; oc < L->out_c; ++oc) {
        const int32_t bias = b ? b[oc] : 0;
        const int8_t* woc = w + (long)oc * L->in_c * ksz;
        for (oh = 0; oh < L->out_h; ++oh) {
            const int ih0 = oh * L->s_h - L->p_h;
            const int kh_lo = ih0 < 0 ? -ih0 : 0;
            const int kh_hi = L->in_h - ih0 < L->k_h ? L->in_h - ih0 : L->k_h;
            for (ow = 0; ow < L->out_w; ++ow) {
                const int iw0 = ow * L->s_w - L->p_w;
                const int kw_lo = iw0 < 0 ? -iw0 : 0;
                const int kw_hi = L->in_w - iw0 < L->k_w ? L->in_w - iw0 : L->k_w;
                int32_t acc = bias;
                for (ic = 0; ic < L->in_c; ++ic) {
                    const int8_t* xp = x + (long)ic * in_plane;
                    const int8_t* wp = woc + (long)ic * ksz;
                    for (kh = kh_lo; kh < kh_hi; ++kh) {
                        const int8_t* xr = xp + (ih0 + kh) * L->in_w + iw0;
                        const int8_t* wr = wp + kh * L->k_w;
                        for (kw = kw_lo; kw < kw_hi; ++kw)
                            acc += ((int32_t)xr[kw] - zx) * (int32_t)wr[kw];
                    }
                }
                y[((long)oc * L->out_h + oh) * L->out_w + ow] =
                    clamp_i8(L->out_zp + dw_requantize(acc, L->mult[oc], L->shift[oc]), lo);
            }
        }
    }
}

static void linear_i8(const dw_layer* L, const int8_t* x, int8_t* y)
{
    const int8_t* w = (const int8_t*)L->weight;
    const int32_t* b = (const int32_t*)L->bias;
    const int32_t zx = L->in_zp;
    const int32_t lo = L->act == DW_ACT_RELU ? (L->out_zp > -128 ? L->out_zp : -128) : -128;
    int o, i;
    for (o = 0; o < L->out_c; ++o) {
        const int8_t* wr = w + (long)o * L->in_c;
        int32_t acc = b ? b[o] : 0;
        for (i = 0; i < L->in_c; ++i)
            acc += ((int32_t)x[i] - zx) * (int32_t)wr[i];
        y[o] = clamp_i8(L->out_zp + dw_requantize(acc, L->mult[o], L->shift[o]), lo);
    }
}

static void dendrite_i8(const dw_layer* L, const int8_t* z, int8_t* y, const unsigned char* scratch)
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
                const int8_t q = ((const int8_t*)(scratch + L->branch[k]))[idx];
                a[k] = L->branch_scale[k] * (float)((int)q - L->branch_zp[k]);
            }
            v = L->in_scale * (float)((int)z[idx] - L->in_zp) + dendrite_element(L, c, a);
            if (L->act == DW_ACT_RELU && v < 0.0f)
                v = 0.0f;
            y[idx] = dw_quantize_value(v, L->out_scale, L->out_zp);
        }
    }
}

/* ---------------------------------------------------------------- dispatch */

static int is_dendrite(int op) { return op == DW_OP_DENDRITE || op == DW_OP_DENDRITE_Q; }

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
        conv_f32(L, (const float*)in, (float*)out);
        break;
    case DW_OP_LINEAR:
        linear_f32(L, (const float*)in, (float*)out);
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
        maxpool_f32(L, (const float*)in, (float*)out);
        break;
    case DW_OP_DENDRITE:
        dendrite_f32(L, (const float*)in, (float*)out, scratch);
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
        for (i = 0; i < n; ++i)
            ((int8_t*)out)[i] = dw_quantize_value(((const float*)in)[i], L->out_scale, L->out_zp);
        break;
    case DW_OP_DEQUANTIZE:
        /* Backwards so that an output overlapping the input's start is still correct. */
        for (i = n - 1; i >= 0; --i)
            ((float*)out)[i] = L->in_scale * (float)((int)((const int8_t*)in)[i] - L->in_zp);
        break;
    case DW_OP_CONV_Q:
        conv_i8(L, (const int8_t*)in, (int8_t*)out);
        break;
    case DW_OP_LINEAR_Q:
        linear_i8(L, (const int8_t*)in, (int8_t*)out);
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
        maxpool_i8(L, (const int8_t*)in, (int8_t*)out);
        break;
    case DW_OP_DENDRITE_Q:
        dendrite_i8(L, (const int8_t*)in, (int8_t*)out, scratch);
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
