// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Host example shipped with every C export of Dendrite Workbench.
 *
 *   cc -std=c99 -O2 *.c -lm -o classify
 *   ./classify clip.wav        prints the class probabilities on one line, in label order
 *   ./classify --labels        prints the labels on one line
 *   ./classify --bench N       runs the network N times on the test vector (for profilers)
 *
 * At start it checks itself: the test vector in model.h must give its expected output.
 * The WAV must be 16 kHz (the model's rate), mono, 16-bit PCM, exactly one window long.
 * Exit codes: 0 ok, 1 bad input file, 2 bad command line, 3 self-check failed.
 * No malloc: every buffer is static, sized by model.h.
 */
#include "dw_mfcc.h"
#include "dw_nn.h"
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float g_scratch[(DW_MODEL_SCRATCH_BYTES + 3) / 4];
static int16_t g_pcm[DW_MODEL_WINDOW_SAMPLES];
static float g_features[DW_MODEL_INPUT_SIZE];
static float g_probs[DW_MODEL_OUTPUT_SIZE];

static unsigned le16(const unsigned char* p) { return (unsigned)p[0] | ((unsigned)p[1] << 8); }
static unsigned long le32(const unsigned char* p)
{
    return (unsigned long)p[0] | ((unsigned long)p[1] << 8) | ((unsigned long)p[2] << 16) |
           ((unsigned long)p[3] << 24);
}

/* Reads a RIFF/WAVE PCM16 mono file of exactly DW_MODEL_WINDOW_SAMPLES samples into g_pcm.
   Returns 0, or 1 after printing what was wrong and what to do. */
static int read_wav(const char* path)
{
    unsigned char h[12], ck[8], fmt[40];
    unsigned channels = 0, bits = 0, format = 0;
    unsigned long rate = 0, size;
    int have_fmt = 0;
    long i, n;
    FILE* f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "error: cannot open '%s'\n  hint: check the path\n", path);
        return 1;
    }
    if (fread(h, 1, 12, f) != 12 || memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVE", 4) != 0) {
        fprintf(stderr, "error: '%s' is not a WAV file\n  hint: convert it, e.g. "
                        "sox in.ogg -r %d -c 1 -b 16 out.wav\n", path, DW_MODEL_SAMPLE_RATE);
        fclose(f);
        return 1;
    }
    for (;;) {
        if (fread(ck, 1, 8, f) != 8) {
            fprintf(stderr, "error: '%s' has no audio data chunk\n  hint: re-export the WAV\n",
                    path);
            fclose(f);
            return 1;
        }
        size = le32(ck + 4);
        if (memcmp(ck, "fmt ", 4) == 0) {
            unsigned long take = size < sizeof fmt ? size : sizeof fmt;
            if (size < 16 || fread(fmt, 1, take, f) != take ||
                fseek(f, (long)(size - take + (size & 1)), SEEK_CUR) != 0) {
                fprintf(stderr, "error: '%s' has a broken format chunk\n  hint: re-export it\n",
                        path);
                fclose(f);
                return 1;
            }
            format = le16(fmt);
            channels = le16(fmt + 2);
            rate = le32(fmt + 4);
            bits = le16(fmt + 14);
            if (format == 0xFFFE && size >= 26)
                format = le16(fmt + 24); /* WAVE_FORMAT_EXTENSIBLE: sub-format code */
            have_fmt = 1;
        } else if (memcmp(ck, "data", 4) == 0) {
            break;
        } else if (fseek(f, (long)(size + (size & 1)), SEEK_CUR) != 0) {
            fprintf(stderr, "error: '%s' is truncated\n  hint: re-export the WAV\n", path);
            fclose(f);
            return 1;
        }
    }
    if (!have_fmt || format != 1 || bits != 16 || channels != 1 ||
        rate != (unsigned long)DW_MODEL_SAMPLE_RATE) {
        fprintf(stderr,
                "error: '%s' is %lu Hz, %u channel(s), %u-bit%s; the model needs %d Hz mono "
                "16-bit PCM\n  hint: convert it, e.g. sox in.wav -r %d -c 1 -b 16 out.wav\n",
                path, rate, channels, bits, format == 1 ? " PCM" : " (not PCM)",
                DW_MODEL_SAMPLE_RATE, DW_MODEL_SAMPLE_RATE);
        fclose(f);
        return 1;
    }
    n = (long)(size / 2);
    if (n != DW_MODEL_WINDOW_SAMPLES) {
        fprintf(stderr,
                "error: '%s' holds %ld samples (%.3f s); the model classifies windows of exactly "
                "%d samples (%.3f s)\n  hint: cut or pad it, e.g. sox in.wav out.wav trim 0 %.3f "
                "pad 0 %.3f (then trim again)\n",
                path, n, (double)n / DW_MODEL_SAMPLE_RATE, DW_MODEL_WINDOW_SAMPLES,
                (double)DW_MODEL_WINDOW_SAMPLES / DW_MODEL_SAMPLE_RATE,
                (double)DW_MODEL_WINDOW_SAMPLES / DW_MODEL_SAMPLE_RATE,
                (double)DW_MODEL_WINDOW_SAMPLES / DW_MODEL_SAMPLE_RATE);
        fclose(f);
        return 1;
    }
    for (i = 0; i < n; ++i) {
        unsigned char b[2];
        if (fread(b, 1, 2, f) != 2) {
            fprintf(stderr, "error: '%s' is truncated (data chunk shorter than stated)\n"
                            "  hint: re-export the WAV\n", path);
            fclose(f);
            return 1;
        }
        g_pcm[i] = (int16_t)(le16(b) >= 32768u ? (long)le16(b) - 65536L : (long)le16(b));
    }
    fclose(f);
    return 0;
}

static int self_check(void)
{
    float worst = 0.0f;
    int i, st = dw_model_run(&dw_model_graph, g_scratch, dw_model_test_input, g_probs);
    if (st != DW_OK) {
        fprintf(stderr, "self-check FAILED: %s\n", dw_status_text(st));
        return 3;
    }
    for (i = 0; i < DW_MODEL_OUTPUT_SIZE; ++i) {
        float d = g_probs[i] - dw_model_test_expected[i];
        if (d < 0)
            d = -d;
        if (d > worst)
            worst = d;
    }
    if (!(worst <= DW_MODEL_TEST_TOLERANCE)) {
        fprintf(stderr, "self-check FAILED: output differs from the expected by %g (> %g)\n"
                        "  hint: the runtime sources and model.h do not match; re-export\n",
                (double)worst, (double)DW_MODEL_TEST_TOLERANCE);
        return 3;
    }
    fprintf(stderr, "self-check ok (max difference %.3g)\n", (double)worst);
    return 0;
}

int main(int argc, char** argv)
{
    int i, st;
    if (argc == 2 && strcmp(argv[1], "--labels") == 0) {
        for (i = 0; i < DW_MODEL_NUM_CLASSES; ++i)
            printf("%s%s", i ? " " : "", dw_model_labels[i]);
        printf("\n");
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--bench") == 0) {
        long n = atol(argv[2]), k;
        for (k = 0; k < n; ++k)
            if (dw_model_run(&dw_model_graph, g_scratch, dw_model_test_input, g_probs) != DW_OK)
                return 3;
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: %s CLIP.wav   (%d Hz mono 16-bit, %d samples)\n"
                        "       %s --labels | --bench N\n",
                argv[0], DW_MODEL_SAMPLE_RATE, DW_MODEL_WINDOW_SAMPLES, argv[0]);
        return 2;
    }
    st = self_check();
    if (st != 0)
        return st;
    if (read_wav(argv[1]) != 0)
        return 1;
    st = dw_model_features(g_pcm, DW_MODEL_WINDOW_SAMPLES, g_features);
    if (st != 0) {
        fprintf(stderr, "error: feature extraction failed: %s\n", dw_mfcc_error_string(st));
        return 1;
    }
    st = dw_model_run(&dw_model_graph, g_scratch, g_features, g_probs);
    if (st != DW_OK) {
        fprintf(stderr, "error: %s\n", dw_status_text(st));
        return 1;
    }
    for (i = 0; i < DW_MODEL_OUTPUT_SIZE; ++i)
        printf("%s%.6f", i ? " " : "", (double)g_probs[i]);
    printf("\n");
    return 0;
}
