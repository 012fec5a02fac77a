// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/*
 * Portable C99 MFCC / MFE front end, Edge Impulse compatible (kws-pipeline.md section 2): the
 * same numbers as Dendrite Workbench's core (dw::MfccExtractor) within 1e-3, from int16 samples.
 * Ships with every exported model so a board computes exactly what the model was trained on.
 *
 * - No malloc, no globals, no libm beyond expf/logf/sqrtf/cosf. The caller passes one scratch
 *   buffer (8-byte aligned; any static array of double/uint64_t is) of
 *   DW_MFCC_SCRATCH_BYTES(...) bytes (a constant expression, for static buffers) or
 *   dw_mfcc_scratch_size(&config, num_samples) bytes.
 * - dw_mfcc_init() validates the configuration and builds the tables (FFT twiddles, mel filters,
 *   DCT) in the scratch buffer; dw_mfcc_compute() then runs per clip with no further setup.
 *   A dw_mfcc state is used by one thread at a time; the scratch buffer belongs to it.
 * - Output: row-major [frames][coeffs] floats, coeffs = num_cepstral (mfcc) or num_filters (mfe).
 *
 * Steps: raw int16 values as floats; circular pre-emphasis y[n] = x[n] - pre_cof*x[n-1] (x[-1] is
 * the clip's last sample); frames of round(fs*frame_length) samples every round(fs*frame_stride),
 * partial frame dropped; optional symmetric Hann window over the min(frame, fft_length) samples
 * that enter the FFT; crop/zero-pad to fft_length; power |rfft|^2/fft_length; frame energy = sum
 * (0 -> 1e-10); triangular mel filters (1127 ln(1 + f/700)); energies (0 -> 1e-10); log;
 * mfcc: orthonormal DCT-II, first num_cepstral, c0 replaced by log(frame energy); then sliding
 * mean/std normalisation over win_size frames with numpy "symmetric" edge padding (0 = off).
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum
{
    DW_MFCC_KIND_MFCC = 0,
    DW_MFCC_KIND_MFE = 1
};
enum
{
    DW_MFCC_WINDOW_NONE = 0,
    DW_MFCC_WINDOW_HANN = 1
};

/* Edge Impulse's parameter names; defaults in DW_MFCC_CONFIG_DEFAULT. */
typedef struct dw_mfcc_config
{
    int kind;             /* DW_MFCC_KIND_MFCC | DW_MFCC_KIND_MFE */
    int window;           /* DW_MFCC_WINDOW_NONE | DW_MFCC_WINDOW_HANN */
    int num_cepstral;     /* 1..num_filters (mfcc only) */
    float frame_length;   /* seconds, > 0 */
    float frame_stride;   /* seconds, > 0 */
    int num_filters;      /* 2..512 */
    int fft_length;       /* power of two, 16..4096 */
    int win_size;         /* normalisation window in frames: 0 (off) or odd 1..1001 */
    float low_frequency;  /* Hz, >= 0 */
    float high_frequency; /* Hz, <= sample_rate/2; 0 means sample_rate/2 */
    float pre_cof;        /* pre-emphasis 0..1 */
    int sample_rate;      /* Hz, 1000..192000 */
} dw_mfcc_config;

#define DW_MFCC_CONFIG_DEFAULT                                                                     \
    {                                                                                              \
        DW_MFCC_KIND_MFCC, DW_MFCC_WINDOW_NONE, 13, 0.02f, 0.02f, 32, 256, 101, 0.0f, 0.0f, 0.98f, \
            16000                                                                                  \
    }

/* Error codes (negative); dw_mfcc_error_string() names the parameter and its allowed range. */
enum
{
    DW_MFCC_OK = 0,
    DW_MFCC_E_ARGUMENT = -1, /* a NULL pointer or num_samples < 1 */
    DW_MFCC_E_KIND = -2,
    DW_MFCC_E_WINDOW = -3,
    DW_MFCC_E_NUM_CEPSTRAL = -4,
    DW_MFCC_E_FRAME_LENGTH = -5,
    DW_MFCC_E_FRAME_STRIDE = -6,
    DW_MFCC_E_NUM_FILTERS = -7,
    DW_MFCC_E_FFT_LENGTH = -8,
    DW_MFCC_E_WIN_SIZE = -9,
    DW_MFCC_E_FREQUENCY = -10,
    DW_MFCC_E_PRE_COF = -11,
    DW_MFCC_E_SAMPLE_RATE = -12,
    DW_MFCC_E_CLIP_TOO_SHORT = -13,  /* frame longer than the clip */
    DW_MFCC_E_TOO_MANY_FRAMES = -14, /* more than DW_MFCC_MAX_FRAMES */
    DW_MFCC_E_EMPTY_FILTER = -15,    /* a mel filter covers no FFT bin: too many filters */
    DW_MFCC_E_SCRATCH = -16,         /* scratch buffer too small or not 8-byte aligned */
    DW_MFCC_E_LENGTH = -17           /* dw_mfcc_compute() got another clip length than init */
};

#define DW_MFCC_MAX_FRAMES 500

/* Scratch bytes as a constant expression, from sample counts (frame_samples =
 * round(sample_rate * frame_length), stride_samples likewise). Equals dw_mfcc_scratch_size(). */
#define DW_MFCC_ALIGN8_(x) ((((size_t)(x)) + 7u) / 8u * 8u)
#define DW_MFCC_FRAMES_(n, frame, stride) (((n) - (frame)) / (stride) + 1)
#define DW_MFCC_PADDED_(n, frame, stride, win)                                                     \
    (DW_MFCC_FRAMES_(n, frame, stride) + ((win) > 0 ? (win)-1 : 0))
#define DW_MFCC_SCRATCH_BYTES(num_samples, frame_samples, stride_samples, fft_length, num_filters, \
                              num_cepstral, win_size)                                              \
    (DW_MFCC_ALIGN8_(sizeof(int) * ((fft_length) / 2)) +                                           \
     2 * DW_MFCC_ALIGN8_(sizeof(float) * ((fft_length) / 4)) +                                     \
     2 * DW_MFCC_ALIGN8_(sizeof(float) * ((fft_length) / 2 + 1)) +                                 \
     DW_MFCC_ALIGN8_(sizeof(float) * (fft_length)) +                                               \
     DW_MFCC_ALIGN8_(sizeof(int) * (num_filters)) +                                                \
     DW_MFCC_ALIGN8_(sizeof(int) * ((num_filters) + 1)) +                                          \
     DW_MFCC_ALIGN8_(sizeof(float) * ((fft_length) + 2 + (num_filters))) +                         \
     DW_MFCC_ALIGN8_(sizeof(float) * (num_cepstral) * (num_filters)) +                             \
     DW_MFCC_ALIGN8_(sizeof(float) * (fft_length)) +                                               \
     2 * DW_MFCC_ALIGN8_(sizeof(float) * ((fft_length) / 2)) +                                     \
     DW_MFCC_ALIGN8_(sizeof(float) * ((fft_length) / 2 + 1)) +                                     \
     DW_MFCC_ALIGN8_(sizeof(float) * (num_filters)) +                                              \
     DW_MFCC_ALIGN8_(sizeof(int) *                                                                 \
                     DW_MFCC_PADDED_(num_samples, frame_samples, stride_samples, win_size)) +      \
     2 * DW_MFCC_ALIGN8_(sizeof(double) *                                                          \
                         DW_MFCC_FRAMES_(num_samples, frame_samples, stride_samples)) +            \
     2 * DW_MFCC_ALIGN8_(                                                                          \
             sizeof(double) *                                                                      \
             (DW_MFCC_PADDED_(num_samples, frame_samples, stride_samples, win_size) + 1)))

/* The state: tables and work buffers live in the caller's scratch buffer. Treat as opaque. */
typedef struct dw_mfcc
{
    dw_mfcc_config cfg;
    int num_samples, frame_samples, stride_samples, fft_input, frames, coeffs, bins, pad;
    int *bitrev, *filter_first, *filter_offset, *sym;
    float *tw_re, *tw_im, *split_re, *split_im, *window, *weights, *dct;
    float *frame, *re, *im, *power, *log_mel;
    double *norm_v, *norm_m, *norm_p1, *norm_p2;
} dw_mfcc;

/* Scratch bytes for this configuration and clip length; 0 if the configuration is invalid. */
size_t dw_mfcc_scratch_size(const dw_mfcc_config* cfg, int num_samples);
/* Output shape: frames for a clip of num_samples (0 if invalid) and coefficients per frame. */
int dw_mfcc_frames(const dw_mfcc_config* cfg, int num_samples);
int dw_mfcc_coeffs(const dw_mfcc_config* cfg);
/* Checks every rule (ranges, FFT power of two, filters vs FFT, frames <= 500, ...). */
int dw_mfcc_validate(const dw_mfcc_config* cfg, int num_samples);

/* Validates and builds the tables for clips of exactly num_samples samples. */
int dw_mfcc_init(dw_mfcc* m, const dw_mfcc_config* cfg, int num_samples, void* scratch,
                 size_t scratch_bytes);
/* Features of one clip: samples[num_samples] -> out[frames * coeffs]. */
int dw_mfcc_compute(dw_mfcc* m, const int16_t* samples, int num_samples, float* out);
/* init + compute in one call (builds the tables every time). */
int dw_mfcc_run(const dw_mfcc_config* cfg, const int16_t* samples, int num_samples, float* out,
                void* scratch, size_t scratch_bytes);

/* A static English sentence for an error code: what was wrong and the allowed range. */
const char* dw_mfcc_error_string(int code);

#ifdef __cplusplus
}
#endif
