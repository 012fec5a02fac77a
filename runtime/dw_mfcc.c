// SPDX-License-Identifier: GPL-3.0-or-later
/* Portable C99 MFCC / MFE (see dw_mfcc.h for the contract). The mel filter edges are computed in
 * double with the small log/exp below (no libm), so every board floors the same bin indices as
 * the desktop; the per-frame path is float only, with a double accumulator for normalisation. */
#include "dw_mfcc.h"

#include <math.h>

#define DW_PI 3.14159265358979323846
#define DW_LN2 0.69314718055994530942
#define DW_FLOOR 1e-10f

/* ---- double-precision log and exp without libm (init only) -------------------------------- */

static double dw_log_d(double x) /* x > 0 */
{
    int k = 0, i;
    double z, z2, term, sum = 0.0;
    while (x > 1.4142135623730951) {
        x *= 0.5;
        ++k;
    }
    while (x < 0.7071067811865476) {
        x *= 2.0;
        --k;
    }
    /* ln x = 2 atanh((x-1)/(x+1)); |z| <= 0.172 so 20 odd terms reach double precision. */
    z = (x - 1.0) / (x + 1.0);
    z2 = z * z;
    term = z;
    for (i = 1; i < 41; i += 2) {
        sum += term / i;
        term *= z2;
    }
    return 2.0 * sum + k * DW_LN2;
}

static double dw_exp_d(double x) /* 0 <= x < 700 */
{
    int k = (int)(x / DW_LN2), i;
    double r = x - k * DW_LN2, term = 1.0, sum = 1.0;
    for (i = 1; i < 24; ++i) {
        term *= r / i;
        sum += term;
    }
    while (k-- > 0)
        sum *= 2.0;
    return sum;
}

static double dw_hz_to_mel(double hz)
{
    return 1127.0 * dw_log_d(1.0 + hz / 700.0);
}
static double dw_mel_to_hz(double mel)
{
    return 700.0 * (dw_exp_d(mel / 1127.0) - 1.0);
}

/* ---- configuration --------------------------------------------------------------------------- */

static int dw_round_samples(float seconds, int rate)
{
    /* round half away from zero; seconds > 0 here */
    return (int)((double)seconds * rate + 0.5);
}

static double dw_high(const dw_mfcc_config* c)
{
    return c->high_frequency > 0 ? (double)c->high_frequency : c->sample_rate / 2.0;
}

static int dw_is_pow2(int v)
{
    return v > 0 && (v & (v - 1)) == 0;
}

/* Mel filter edge bins (num_filters + 2 of them) into idx. */
static void dw_edges(const dw_mfcc_config* c, int* idx)
{
    const int nf = c->num_filters;
    const double lo = dw_hz_to_mel(c->low_frequency), hi = dw_hz_to_mel(dw_high(c));
    const double step = (hi - lo) / (nf + 1);
    int i;
    for (i = 0; i < nf + 2; ++i) {
        double hz = dw_mel_to_hz(i == nf + 1 ? hi : lo + i * step);
        double b;
        if (i == nf + 1)
            hz -= 0.001;
        b = (c->fft_length + 1) * hz / c->sample_rate;
        idx[i] = (int)b; /* b >= 0: truncation is floor */
    }
}

static double dw_tri(int b, int left, int mid, int right)
{
    if (b > left && b <= mid)
        return (double)(b - left) / (mid - left);
    if (b >= mid && b < right)
        return (double)(right - b) / (right - mid);
    return 0.0;
}

/* Returns the first filter that covers no FFT bin, or -1 when every filter has one. */
static int dw_check_filters(const dw_mfcc_config* c)
{
    int idx[512 + 2];
    int i, b, bins = c->fft_length / 2 + 1;
    dw_edges(c, idx);
    for (i = 0; i < c->num_filters; ++i) {
        int any = 0;
        for (b = idx[i] < 0 ? 0 : idx[i]; b <= idx[i + 2] && b < bins; ++b)
            if (dw_tri(b, idx[i], idx[i + 1], idx[i + 2]) != 0.0)
                any = 1;
        if (!any)
            return i;
    }
    return -1;
}

int dw_mfcc_frames(const dw_mfcc_config* c, int n)
{
    int L, S;
    if (!c || c->sample_rate <= 0 || !(c->frame_length > 0) || !(c->frame_stride > 0))
        return 0;
    L = dw_round_samples(c->frame_length, c->sample_rate);
    S = dw_round_samples(c->frame_stride, c->sample_rate);
    if (L < 1 || S < 1 || n < L)
        return 0;
    return (n - L) / S + 1;
}

int dw_mfcc_coeffs(const dw_mfcc_config* c)
{
    if (!c)
        return 0;
    return c->kind == DW_MFCC_KIND_MFE ? c->num_filters : c->num_cepstral;
}

int dw_mfcc_validate(const dw_mfcc_config* c, int n)
{
    int L, S;
    double high;
    if (!c || n < 1)
        return DW_MFCC_E_ARGUMENT;
    if (c->kind != DW_MFCC_KIND_MFCC && c->kind != DW_MFCC_KIND_MFE)
        return DW_MFCC_E_KIND;
    if (c->window != DW_MFCC_WINDOW_NONE && c->window != DW_MFCC_WINDOW_HANN)
        return DW_MFCC_E_WINDOW;
    if (c->sample_rate < 1000 || c->sample_rate > 192000)
        return DW_MFCC_E_SAMPLE_RATE;
    if (c->num_filters < 2 || c->num_filters > 512)
        return DW_MFCC_E_NUM_FILTERS;
    if (c->num_cepstral < 1 || c->num_cepstral > 512 ||
        (c->kind == DW_MFCC_KIND_MFCC && c->num_cepstral > c->num_filters))
        return DW_MFCC_E_NUM_CEPSTRAL;
    if (!(c->frame_length > 0) || c->frame_length > 10 ||
        dw_round_samples(c->frame_length, c->sample_rate) < 1)
        return DW_MFCC_E_FRAME_LENGTH;
    if (!(c->frame_stride > 0) || c->frame_stride > 10 ||
        dw_round_samples(c->frame_stride, c->sample_rate) < 1)
        return DW_MFCC_E_FRAME_STRIDE;
    if (!dw_is_pow2(c->fft_length) || c->fft_length < 16 || c->fft_length > 4096)
        return DW_MFCC_E_FFT_LENGTH;
    if (c->win_size < 0 || c->win_size > 1001 || (c->win_size != 0 && c->win_size % 2 == 0))
        return DW_MFCC_E_WIN_SIZE;
    high = dw_high(c);
    if (!(c->low_frequency >= 0) || !(c->high_frequency >= 0) ||
        (double)c->high_frequency > c->sample_rate / 2.0 || (double)c->low_frequency >= high)
        return DW_MFCC_E_FREQUENCY;
    if (!(c->pre_cof >= 0) || c->pre_cof > 1)
        return DW_MFCC_E_PRE_COF;
    L = dw_round_samples(c->frame_length, c->sample_rate);
    S = dw_round_samples(c->frame_stride, c->sample_rate);
    if (L > n)
        return DW_MFCC_E_CLIP_TOO_SHORT;
    if ((n - L) / S + 1 > DW_MFCC_MAX_FRAMES)
        return DW_MFCC_E_TOO_MANY_FRAMES;
    if (dw_check_filters(c) >= 0)
        return DW_MFCC_E_EMPTY_FILTER;
    return DW_MFCC_OK;
}

size_t dw_mfcc_scratch_size(const dw_mfcc_config* c, int n)
{
    int L, S;
    if (dw_mfcc_validate(c, n) != DW_MFCC_OK)
        return 0;
    L = dw_round_samples(c->frame_length, c->sample_rate);
    S = dw_round_samples(c->frame_stride, c->sample_rate);
    return DW_MFCC_SCRATCH_BYTES(n, L, S, c->fft_length, c->num_filters, c->num_cepstral,
                                 c->win_size);
}

/* ---- init ------------------------------------------------------------------------------------ */

typedef struct
{
    unsigned char* p;
    unsigned char* end;
} dw_arena;

static void* dw_take(dw_arena* a, size_t bytes)
{
    void* r = a->p;
    a->p += DW_MFCC_ALIGN8_(bytes);
    return r;
}

int dw_mfcc_init(dw_mfcc* m, const dw_mfcc_config* c, int n, void* scratch, size_t bytes)
{
    int rc, i, k, b, nf, H, ncep;
    int idx[512 + 2];
    size_t need;
    dw_arena a;
    if (!m || !c || !scratch)
        return DW_MFCC_E_ARGUMENT;
    rc = dw_mfcc_validate(c, n);
    if (rc != DW_MFCC_OK)
        return rc;
    need = dw_mfcc_scratch_size(c, n);
    if (bytes < need || ((uintptr_t)scratch & 7u) != 0)
        return DW_MFCC_E_SCRATCH;

    m->cfg = *c;
    m->num_samples = n;
    m->frame_samples = dw_round_samples(c->frame_length, c->sample_rate);
    m->stride_samples = dw_round_samples(c->frame_stride, c->sample_rate);
    m->fft_input = m->frame_samples < c->fft_length ? m->frame_samples : c->fft_length;
    m->frames = (n - m->frame_samples) / m->stride_samples + 1;
    m->coeffs = dw_mfcc_coeffs(c);
    m->bins = c->fft_length / 2 + 1;
    m->pad = c->win_size > 0 ? (c->win_size - 1) / 2 : 0;
    nf = c->num_filters;
    H = c->fft_length / 2;
    ncep = c->num_cepstral;

    /* Carve the scratch buffer in exactly the order of DW_MFCC_SCRATCH_BYTES. */
    a.p = (unsigned char*)scratch;
    a.end = a.p + bytes;
    m->bitrev = (int*)dw_take(&a, sizeof(int) * H);
    m->tw_re = (float*)dw_take(&a, sizeof(float) * (c->fft_length / 4));
    m->tw_im = (float*)dw_take(&a, sizeof(float) * (c->fft_length / 4));
    m->split_re = (float*)dw_take(&a, sizeof(float) * (H + 1));
    m->split_im = (float*)dw_take(&a, sizeof(float) * (H + 1));
    m->window = (float*)dw_take(&a, sizeof(float) * c->fft_length);
    m->filter_first = (int*)dw_take(&a, sizeof(int) * nf);
    m->filter_offset = (int*)dw_take(&a, sizeof(int) * (nf + 1));
    m->weights = (float*)dw_take(&a, sizeof(float) * (c->fft_length + 2 + nf));
    m->dct = (float*)dw_take(&a, sizeof(float) * ncep * nf);
    m->frame = (float*)dw_take(&a, sizeof(float) * c->fft_length);
    m->re = (float*)dw_take(&a, sizeof(float) * H);
    m->im = (float*)dw_take(&a, sizeof(float) * H);
    m->power = (float*)dw_take(&a, sizeof(float) * m->bins);
    m->log_mel = (float*)dw_take(&a, sizeof(float) * nf);
    m->sym = (int*)dw_take(&a, sizeof(int) * (m->frames + 2 * m->pad));
    m->norm_v = (double*)dw_take(&a, sizeof(double) * m->frames);
    m->norm_m = (double*)dw_take(&a, sizeof(double) * m->frames);
    m->norm_p1 = (double*)dw_take(&a, sizeof(double) * (m->frames + 2 * m->pad + 1));
    m->norm_p2 = (double*)dw_take(&a, sizeof(double) * (m->frames + 2 * m->pad + 1));
    if (a.p > a.end)
        return DW_MFCC_E_SCRATCH; /* cannot happen when the size formula is right */

    /* FFT tables: complex radix-2 over H points plus the real split step. Angles are reduced
     * to [0, pi/2]-friendly integers before cosf so every libm gives the same twiddles. */
    {
        int bits = 0;
        while ((1 << bits) < H)
            ++bits;
        for (i = 0; i < H; ++i) {
            int r = 0;
            for (b = 0; b < bits; ++b)
                if (i & (1 << b))
                    r |= 1 << (bits - 1 - b);
            m->bitrev[i] = r;
        }
        for (k = 0; k < H / 2; ++k) {
            m->tw_re[k] = cosf((float)(2.0 * DW_PI * k / H));
            m->tw_im[k] = -cosf((float)(DW_PI / 2 - 2.0 * DW_PI * k / H));
        }
        for (k = 0; k <= H; ++k) {
            m->split_re[k] = cosf((float)(2.0 * DW_PI * k / c->fft_length));
            m->split_im[k] = -cosf((float)(DW_PI / 2 - 2.0 * DW_PI * k / c->fft_length));
        }
    }
    for (i = 0; i < m->fft_input; ++i)
        m->window[i] = m->fft_input > 1
                           ? 0.5f - 0.5f * cosf((float)(2.0 * DW_PI * i / (m->fft_input - 1)))
                           : 1.0f;

    /* Sparse triangular filters. */
    dw_edges(c, idx);
    m->filter_offset[0] = 0;
    for (i = 0; i < nf; ++i) {
        int first = -1, last = -1, off = m->filter_offset[i];
        for (b = idx[i] < 0 ? 0 : idx[i]; b <= idx[i + 2] && b < m->bins; ++b) {
            if (dw_tri(b, idx[i], idx[i + 1], idx[i + 2]) != 0.0) {
                if (first < 0)
                    first = b;
                last = b;
            }
        }
        m->filter_first[i] = first;
        for (b = first; b <= last; ++b)
            m->weights[off++] = (float)dw_tri(b, idx[i], idx[i + 1], idx[i + 2]);
        m->filter_offset[i + 1] = off;
    }

    /* Orthonormal DCT-II; the angle pi*k*(2j+1)/(2nf) is reduced modulo 2 pi exactly. */
    if (c->kind == DW_MFCC_KIND_MFCC) {
        const float s0 = sqrtf(1.0f / nf), s1 = sqrtf(2.0f / nf);
        for (k = 0; k < ncep; ++k)
            for (i = 0; i < nf; ++i) {
                const long q = ((long)k * (2 * i + 1)) % (4L * nf);
                m->dct[k * nf + i] = (k == 0 ? s0 : s1) * cosf((float)(DW_PI * q / (2.0 * nf)));
            }
    }

    /* numpy "symmetric" padding, repeated: the mirror extension with period 2*frames. */
    for (i = 0; i < m->frames + 2 * m->pad; ++i) {
        int j = (i - m->pad) % (2 * m->frames);
        if (j < 0)
            j += 2 * m->frames;
        m->sym[i] = j < m->frames ? j : 2 * m->frames - 1 - j;
    }
    return DW_MFCC_OK;
}

/* ---- per clip -------------------------------------------------------------------------------- */

/* One radix-2 stage over a block (the halves never overlap, hence restrict). */
static void dw_butterflies(float* restrict r0, float* restrict i0, float* restrict r1,
                           float* restrict i1, const float* restrict wr, const float* restrict wi,
                           int half, int step)
{
    int j;
    for (j = 0; j < half; ++j) {
        const float tr = r1[j] * wr[j * step] - i1[j] * wi[j * step];
        const float ti = r1[j] * wi[j * step] + i1[j] * wr[j * step];
        r1[j] = r0[j] - tr;
        i1[j] = i0[j] - ti;
        r0[j] += tr;
        i0[j] += ti;
    }
}

static void dw_power_spectrum(dw_mfcc* m)
{
    const int H = m->cfg.fft_length / 2;
    const float scale = 1.0f / (float)m->cfg.fft_length;
    float* re = m->re;
    float* im = m->im;
    const float* sr = m->split_re;
    const float* si = m->split_im;
    int i, len, start, k;
    float x0, xh;
    for (i = 0; i < H; ++i) {
        re[m->bitrev[i]] = m->frame[2 * i];
        im[m->bitrev[i]] = m->frame[2 * i + 1];
    }
    /* Stages 2 and 4 together: their twiddles are 1 and -i (H >= 8). */
    for (i = 0; i < H; i += 4) {
        const float a0r = re[i] + re[i + 1], a0i = im[i] + im[i + 1];
        const float a1r = re[i] - re[i + 1], a1i = im[i] - im[i + 1];
        const float b0r = re[i + 2] + re[i + 3], b0i = im[i + 2] + im[i + 3];
        const float b1r = re[i + 2] - re[i + 3], b1i = im[i + 2] - im[i + 3];
        re[i] = a0r + b0r;
        im[i] = a0i + b0i;
        re[i + 2] = a0r - b0r;
        im[i + 2] = a0i - b0i;
        re[i + 1] = a1r + b1i;
        im[i + 1] = a1i - b1r;
        re[i + 3] = a1r - b1i;
        im[i + 3] = a1i + b1r;
    }
    for (len = 8; len <= H; len <<= 1) {
        const int half = len >> 1, step = H / len;
        for (start = 0; start < H; start += len)
            dw_butterflies(re + start, im + start, re + start + half, im + start + half, m->tw_re,
                           m->tw_im, half, step);
    }
    /* Real split: X[k] = E[k] + W^k O[k] from Z[k] and conj(Z[H-k]); bins 0 and H use Z[0]. */
    x0 = re[0] + im[0];
    xh = re[0] - im[0];
    m->power[0] = x0 * x0 * scale;
    m->power[H] = xh * xh * scale;
    for (k = 1; k < H; ++k) {
        const int b = H - k;
        const float zr = re[k], zi = im[k], cr = re[b], ci = -im[b];
        const float er = 0.5f * (zr + cr), ei = 0.5f * (zi + ci);
        const float odr = 0.5f * (zi - ci), odi = -0.5f * (zr - cr);
        const float xr = er + odr * sr[k] - odi * si[k];
        const float xi = ei + odr * si[k] + odi * sr[k];
        m->power[k] = (xr * xr + xi * xi) * scale;
    }
}

static void dw_normalise(dw_mfcc* m, float* out)
{
    const int F = m->frames, C = m->coeffs, win = m->cfg.win_size;
    const int total = F + 2 * m->pad;
    const double inv = 1.0 / win;
    int c, f, j;
    for (c = 0; c < C; ++c) {
        double* v = m->norm_v;
        double* mm = m->norm_m;
        double* p1 = m->norm_p1;
        double* p2 = m->norm_p2;
        for (f = 0; f < F; ++f)
            v[f] = out[f * C + c];
        p1[0] = 0;
        for (j = 0; j < total; ++j)
            p1[j + 1] = p1[j] + v[m->sym[j]];
        for (f = 0; f < F; ++f)
            mm[f] = v[f] - (p1[f + win] - p1[f]) * inv;
        p1[0] = p2[0] = 0;
        for (j = 0; j < total; ++j) {
            const double x = mm[m->sym[j]];
            p1[j + 1] = p1[j] + x;
            p2[j + 1] = p2[j] + x * x;
        }
        for (f = 0; f < F; ++f) {
            const double mean = (p1[f + win] - p1[f]) * inv;
            double var = (p2[f + win] - p2[f]) * inv - mean * mean;
            if (var < 0)
                var = 0;
            out[f * C + c] = (float)(mm[f] / ((double)sqrtf((float)var) + 1e-10));
        }
    }
}

int dw_mfcc_compute(dw_mfcc* m, const int16_t* x, int n, float* out)
{
    const dw_mfcc_config* c;
    int f, i, k, b, nf, C;
    float pre;
    if (!m || !x || !out)
        return DW_MFCC_E_ARGUMENT;
    if (n != m->num_samples)
        return DW_MFCC_E_LENGTH;
    c = &m->cfg;
    nf = c->num_filters;
    C = m->coeffs;
    pre = c->pre_cof;
    for (i = m->fft_input; i < c->fft_length; ++i)
        m->frame[i] = 0.0f;
    for (f = 0; f < m->frames; ++f) {
        const int start = f * m->stride_samples;
        float energy = 0.0f;
        float* row = out + f * C;
        m->frame[0] = (float)x[start] - pre * (float)x[start == 0 ? n - 1 : start - 1];
        for (i = 1; i < m->fft_input; ++i)
            m->frame[i] = (float)x[start + i] - pre * (float)x[start + i - 1];
        if (c->window == DW_MFCC_WINDOW_HANN)
            for (i = 0; i < m->fft_input; ++i)
                m->frame[i] *= m->window[i];
        dw_power_spectrum(m);
        for (b = 0; b < m->bins; ++b)
            energy += m->power[b];
        if (energy == 0.0f)
            energy = DW_FLOOR;
        for (i = 0; i < nf; ++i) {
            const float* w = m->weights + m->filter_offset[i];
            const float* p = m->power + m->filter_first[i];
            const int len = m->filter_offset[i + 1] - m->filter_offset[i];
            float e = 0.0f;
            for (b = 0; b < len; ++b)
                e += w[b] * p[b];
            m->log_mel[i] = logf(e == 0.0f ? DW_FLOOR : e);
        }
        if (c->kind == DW_MFCC_KIND_MFCC) {
            for (k = 0; k < C; ++k) {
                const float* r = m->dct + k * nf;
                float acc = 0.0f;
                for (i = 0; i < nf; ++i)
                    acc += r[i] * m->log_mel[i];
                row[k] = acc;
            }
            row[0] = logf(energy); /* Edge Impulse: c0 is the log frame energy */
        } else {
            for (i = 0; i < nf; ++i)
                row[i] = m->log_mel[i];
        }
    }
    if (c->win_size > 0)
        dw_normalise(m, out);
    return DW_MFCC_OK;
}

int dw_mfcc_run(const dw_mfcc_config* c, const int16_t* x, int n, float* out, void* scratch,
                size_t bytes)
{
    dw_mfcc m;
    int rc = dw_mfcc_init(&m, c, n, scratch, bytes);
    return rc != DW_MFCC_OK ? rc : dw_mfcc_compute(&m, x, n, out);
}

const char* dw_mfcc_error_string(int code)
{
    switch (code) {
    case DW_MFCC_OK:
        return "ok";
    case DW_MFCC_E_ARGUMENT:
        return "a pointer is NULL or num_samples is below 1";
    case DW_MFCC_E_KIND:
        return "kind is unknown: allowed DW_MFCC_KIND_MFCC or DW_MFCC_KIND_MFE";
    case DW_MFCC_E_WINDOW:
        return "window is unknown: allowed DW_MFCC_WINDOW_NONE or DW_MFCC_WINDOW_HANN";
    case DW_MFCC_E_NUM_CEPSTRAL:
        return "num_cepstral is out of range: allowed 1..num_filters";
    case DW_MFCC_E_FRAME_LENGTH:
        return "frame_length is out of range: allowed more than 0 (at least one sample) to 10 s";
    case DW_MFCC_E_FRAME_STRIDE:
        return "frame_stride is out of range: allowed more than 0 (at least one sample) to 10 s";
    case DW_MFCC_E_NUM_FILTERS:
        return "num_filters is out of range: allowed 2..512";
    case DW_MFCC_E_FFT_LENGTH:
        return "fft_length is not a power of two in 16..4096";
    case DW_MFCC_E_WIN_SIZE:
        return "win_size is invalid: allowed 0 (off) or an odd number of frames 1..1001";
    case DW_MFCC_E_FREQUENCY:
        return "low_frequency/high_frequency invalid: allowed 0 <= low < high <= sample_rate/2";
    case DW_MFCC_E_PRE_COF:
        return "pre_cof is out of range: allowed 0..1";
    case DW_MFCC_E_SAMPLE_RATE:
        return "sample_rate is out of range: allowed 1000..192000 Hz";
    case DW_MFCC_E_CLIP_TOO_SHORT:
        return "frame_length is longer than the clip";
    case DW_MFCC_E_TOO_MANY_FRAMES:
        return "frame_stride gives more than 500 frames: raise frame_stride";
    case DW_MFCC_E_EMPTY_FILTER:
        return "num_filters is too many for fft_length: a mel filter covers no FFT bin";
    case DW_MFCC_E_SCRATCH:
        return "scratch buffer too small or not 8-byte aligned: see dw_mfcc_scratch_size()";
    case DW_MFCC_E_LENGTH:
        return "num_samples differs from the length given to dw_mfcc_init()";
    default:
        return "unknown dw_mfcc error code";
    }
}
