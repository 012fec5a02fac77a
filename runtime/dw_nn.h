// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#ifndef DW_NN_H
#define DW_NN_H
/*
 * Portable C99 neural-network runtime for exported keyword-spotting models.
 *
 * Contract
 * - No malloc, no global state: every layer reads and writes one caller-owned scratch buffer
 *   whose size the exporter states (DW_MODEL_SCRATCH_BYTES in model.h). Reentrant: two threads
 *   may run the same model with two scratch buffers.
 * - libm use is limited to expf (sigmoid, tanh, softmax) and floorf/roundf-free arithmetic.
 * - Tensors are laid out like PyTorch's contiguous tensors without the batch axis:
 *   conv2d [C][H][W], conv1d [C][L] (stored as H = 1, W = L), linear [N] (C = N, H = W = 1).
 *   So "flatten" needs no copy and linear weights match torch's flatten order.
 * - Float graphs run on float32. Int8 graphs use int8 activations (per-tensor scale and zero
 *   point, value = scale * (q - zero_point)), int8 weights with per-output-channel symmetric
 *   scales, int32 accumulators and a fixed-point requantisation (multiplier Q31 + shift).
 *   Dendrite combines and softmax compute in float on dequantised values.
 * - Where the compiler targets SSE2 (every x86-64), convolutions, int8 linear layers, 2-wide
 *   max pools and quantize run SSE2 kernels: int8 outputs are bit-identical to the portable
 *   loops (exact int32 sums), float outputs too (same products in the same order; a conv sum
 *   of exactly zero may differ in the sign of the zero). They use up to 5.6 kB of stack (x86-64,
 *   gcc -O2) for staged input rows. Define DW_NN_NO_SIMD to force the portable loops, which
 *   are what every other target (e.g. Cortex-M) compiles.
 * - The network graph is a const table of dw_layer entries run in order by dw_model_run();
 *   each entry names its input and output by byte offset into the scratch buffer (the exporter
 *   plans offsets so live values never overlap; ops that allow it run in place).
 *
 * Dendrites in clean form (perforated-backprop.md section 2): a wrapped layer f with K dendrites
 * is K+1 plain layers of the same shape (z = f(x), a_k = D_k(x)) followed by one
 * DW_OP_DENDRITE op computing per channel c and position p
 *     h_k = act(a_k + sum_{j<k} Wdd_k[j][c] * h_j),   y = z + sum_k Wtop[k][c] * h_k.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DW_NN_VERSION 1
/* Largest number of dendrites per wrapped layer the runtime accepts (a stack array). */
#define DW_NN_MAX_DENDRITES 64

enum dw_status {
    DW_OK = 0,
    DW_ERR_ARG = -1,     /* null pointer or bad size */
    DW_ERR_OP = -2,      /* unknown op code in the layer table */
    DW_ERR_SCRATCH = -3, /* a layer reads or writes outside the scratch buffer */
    DW_ERR_SHAPE = -4    /* inconsistent shapes in a layer entry */
};

enum dw_op {
    DW_OP_CONV1D = 1,    /* float conv, [in_c][1][in_w] -> [out_c][1][out_w] */
    DW_OP_CONV2D = 2,    /* float conv, [in_c][in_h][in_w] -> [out_c][out_h][out_w] */
    DW_OP_LINEAR = 3,    /* float y = W x + b, W [out_c][in_c] */
    DW_OP_RELU = 4,      /* float, in place allowed; count = in_c*in_h*in_w */
    DW_OP_MAXPOOL = 5,   /* float, kernel k_h x k_w, stride s_h x s_w, padding p_h x p_w;
                            output size floor or ceil mode (windows clipped at the edge) */
    DW_OP_DENDRITE = 6,  /* float clean-form dendrite combine (see above), output may alias z */
    DW_OP_SOFTMAX = 7,   /* float over in_c values */
    DW_OP_TRANSPOSE = 8, /* float [in_h][in_w] -> [in_w][in_h] (e.g. frames x coeffs -> C x L) */
    DW_OP_COPY = 9,      /* float copy of in_c*in_h*in_w values; in == out is a reshape */
    DW_OP_ACT = 10,      /* float elementwise activation `act` (sigmoid, tanh or relu) */

    DW_OP_QUANTIZE = 20,     /* float -> int8 with out_scale/out_zp */
    DW_OP_DEQUANTIZE = 21,   /* int8 -> float with in_scale/in_zp */
    DW_OP_CONV_Q = 22,       /* int8 conv (1-D as in_h = 1), per-channel weights */
    DW_OP_LINEAR_Q = 23,     /* int8 linear */
    DW_OP_RELU_Q = 24,       /* int8: max(q, in_zp); in place allowed; output quant = input's */
    DW_OP_MAXPOOL_Q = 25,    /* int8 max pool, output quant = input's */
    DW_OP_DENDRITE_Q = 26,   /* int8 dendrite combine, float math inside */
    DW_OP_TRANSPOSE_Q = 27,  /* int8 transpose */
    DW_OP_COPY_Q = 28,       /* int8 copy */
    DW_OP_ACT_Q = 29         /* int8 elementwise activation, float math inside */
};

enum dw_act {
    DW_ACT_NONE = 0,
    DW_ACT_RELU = 1,
    DW_ACT_SIGMOID = 2,
    DW_ACT_TANH = 3
};

/*
 * One entry of the layer table. Fields an op does not use are zero. Offsets are in bytes from
 * the start of the scratch buffer and must be multiples of 4 (int8 values too).
 * act: fused activation after conv/linear/dendrite (DW_ACT_NONE or DW_ACT_RELU); for
 * DW_OP_DENDRITE(_Q) `dact` is the dendrite activation applied to each a_k.
 */
typedef struct dw_layer {
    int op;
    int act;
    int in;  /* byte offset of the input (for dendrite ops: z, the wrapped layer's output) */
    int out; /* byte offset of the output */
    int in_c, in_h, in_w;
    int out_c, out_h, out_w;
    int k_h, k_w, s_h, s_w, p_h, p_w;
    const void* weight; /* float or int8, conv [out_c][in_c][k_h][k_w], linear [out_c][in_c] */
    const void* bias;   /* float (float ops) or int32 (int8 ops, scale in_scale*w_scale[c]) */
    const int32_t* mult; /* int8 ops: per-channel requant multiplier, Q31 in [2^30, 2^31) */
    const int32_t* shift; /* int8 ops: per-channel exponent: M = mult * 2^(shift - 31) */
    float in_scale;
    int in_zp;
    float out_scale;
    int out_zp;
    /* dendrite combine */
    int dact;                  /* DW_ACT_SIGMOID | DW_ACT_TANH | DW_ACT_RELU */
    int n_dendrites;           /* K */
    const int* branch;         /* [K] byte offsets of a_1..a_K (same shape as z) */
    const float* wtop;         /* [K][out_c] */
    const float* wdd;          /* packed cascade weights: dendrite k (0-based) has k rows of
                                  [out_c] starting at row k*(k-1)/2; total K*(K-1)/2 rows */
    const float* branch_scale; /* int8: [K] quant scale of a_k */
    const int* branch_zp;      /* int8: [K] zero point of a_k */
} dw_layer;

typedef struct dw_model {
    const dw_layer* layers;
    int n_layers;
    int input_offset;  /* float input [input_size] is copied here before the first layer */
    int input_size;
    int output_offset; /* float output [output_size] is read from here after the last layer */
    int output_size;
    int scratch_bytes;
} dw_model;

/* Called after each layer with its index; used by calibration and debugging. May be NULL. */
typedef void (*dw_layer_hook)(int layer_index, const dw_layer* layer, const unsigned char* scratch,
                              void* user);

/* Runs the whole graph. scratch must hold model->scratch_bytes bytes, 4-byte aligned.
   input: input_size floats (e.g. MFCC features [frames][coeffs]); output: output_size floats.
   Returns DW_OK or a dw_status. */
int dw_model_run(const dw_model* model, void* scratch, const float* input, float* output);
int dw_model_run_hooked(const dw_model* model, void* scratch, const float* input, float* output,
                        dw_layer_hook hook, void* user);

/* Checks every offset and shape of the table against scratch_bytes once (e.g. at start-up). */
int dw_model_check(const dw_model* model);

/* Runs one layer with explicit input/output pointers (tests, custom graphs). For dendrite ops,
   `in` is z and branches are read at scratch + branch[k]; scratch may be NULL for other ops. */
int dw_layer_run(const dw_layer* layer, const void* in, void* out, unsigned char* scratch);

/* Output elements of a layer (out_c*out_h*out_w) and its multiply-accumulates. */
long dw_layer_out_count(const dw_layer* layer);
long dw_layer_macs(const dw_layer* layer);

/* Fixed-point helpers, exposed for tests and the exporter. */
/* Splits a positive real multiplier m into mult (Q31, [2^30, 2^31)) and shift, m = mult*2^(shift-31).
   m <= 0 gives mult = 0, shift = 0. */
void dw_quantize_multiplier(double m, int32_t* mult, int32_t* shift);
/* round(acc * mult * 2^(shift-31)), rounding half away from zero, saturating to int32. */
int32_t dw_requantize(int32_t acc, int32_t mult, int32_t shift);
/* round(x / scale) + zp clamped to [-128, 127]. */
int8_t dw_quantize_value(float x, float scale, int zp);

const char* dw_status_text(int status);

#ifdef __cplusplus
}
#endif

#endif /* DW_NN_H */
