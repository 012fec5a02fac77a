// SPDX-License-Identifier: GPL-3.0-or-later
#include "mfcc_fft.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace dw::detail {

namespace {
// One radix-2 stage over a block: restrict-qualified parameters (the halves never overlap) let
// the compiler vectorise it.
void butterflies(float* __restrict r0, float* __restrict i0, float* __restrict r1,
                 float* __restrict i1, const float* __restrict wr, const float* __restrict wi,
                 int half)
{
    for (int j = 0; j < half; ++j) {
        const float tr = r1[j] * wr[j] - i1[j] * wi[j];
        const float ti = r1[j] * wi[j] + i1[j] * wr[j];
        r1[j] = r0[j] - tr;
        i1[j] = i0[j] - ti;
        r0[j] += tr;
        i0[j] += ti;
    }
}
} // namespace

RealFft::RealFft(int n) : m_n(n), m_half(n / 2)
{
    const int h = m_half;
    int bits = 0;
    while ((1 << bits) < h)
        ++bits;
    m_bitrev.resize(h);
    for (int i = 0; i < h; ++i) {
        int r = 0;
        for (int b = 0; b < bits; ++b)
            if (i & (1 << b))
                r |= 1 << (bits - 1 - b);
        m_bitrev[i] = r;
    }
    // Twiddles in double, rounded once: keeps the FFT within a few float ulps of numpy's.
    const double pi = std::numbers::pi;
    m_twRe.assign(std::max(1, h - 4), 0.0f);
    m_twIm.assign(std::max(1, h - 4), 0.0f);
    for (int len = 8; len <= h; len <<= 1)
        for (int j = 0; j < len / 2; ++j) {
            m_twRe[len / 2 - 4 + j] = static_cast<float>(std::cos(2 * pi * j / len));
            m_twIm[len / 2 - 4 + j] = static_cast<float>(-std::sin(2 * pi * j / len));
        }
    m_splitRe.resize(h + 1);
    m_splitIm.resize(h + 1);
    for (int k = 0; k <= h; ++k) {
        m_splitRe[k] = static_cast<float>(std::cos(2 * pi * k / n));
        m_splitIm[k] = static_cast<float>(-std::sin(2 * pi * k / n));
    }
    m_re.resize(h);
    m_im.resize(h);
}

void RealFft::power(const float* x, float* out, float scale)
{
    const int h = m_half;
    float* re = m_re.data();
    float* im = m_im.data();
    for (int i = 0; i < h; ++i) {
        const int r = m_bitrev[i];
        re[r] = x[2 * i];
        im[r] = x[2 * i + 1];
    }
    // Stages len 2 and 4 together: their twiddles are 1 and -i (h >= 8 since n >= 16).
    for (int i = 0; i < h; i += 4) {
        const float a0r = re[i] + re[i + 1], a0i = im[i] + im[i + 1];
        const float a1r = re[i] - re[i + 1], a1i = im[i] - im[i + 1];
        const float b0r = re[i + 2] + re[i + 3], b0i = im[i + 2] + im[i + 3];
        const float b1r = re[i + 2] - re[i + 3], b1i = im[i + 2] - im[i + 3];
        re[i] = a0r + b0r;
        im[i] = a0i + b0i;
        re[i + 2] = a0r - b0r;
        im[i + 2] = a0i - b0i;
        // (b1r + i b1i) * -i = b1i - i b1r
        re[i + 1] = a1r + b1i;
        im[i + 1] = a1i - b1r;
        re[i + 3] = a1r - b1i;
        im[i + 3] = a1i + b1r;
    }
    for (int len = 8; len <= h; len <<= 1) {
        const int half = len >> 1;
        const float* wr = m_twRe.data() + (half - 4);
        const float* wi = m_twIm.data() + (half - 4);
        for (int start = 0; start < h; start += len)
            butterflies(re + start, im + start, re + start + half, im + start + half, wr, wi, half);
    }
    // Split the packed half-length transform into the real signal's spectrum:
    // X[k] = E[k] + W^k O[k] with E, O from Z[k] and conj(Z[h-k]). Bins 0 and h need only Z[0].
    const float x0 = re[0] + im[0], xh = re[0] - im[0];
    out[0] = x0 * x0 * scale;
    out[h] = xh * xh * scale;
    const float* __restrict sr = m_splitRe.data();
    const float* __restrict si = m_splitIm.data();
    for (int k = 1; k < h; ++k) {
        const int b = h - k;
        const float zr = re[k], zi = im[k];
        const float cr = re[b], ci = -im[b];
        const float er = 0.5f * (zr + cr), ei = 0.5f * (zi + ci);
        const float odr = 0.5f * (zi - ci), odi = -0.5f * (zr - cr);
        const float xr = er + odr * sr[k] - odi * si[k];
        const float xi = ei + odr * si[k] + odi * sr[k];
        out[k] = (xr * xr + xi * xi) * scale;
    }
}

} // namespace dw::detail
