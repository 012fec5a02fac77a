// SPDX-License-Identifier: GPL-3.0-or-later
#include "mfcc_fft.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace dw::detail {

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
    m_twRe.resize(std::max(1, h / 2));
    m_twIm.resize(std::max(1, h / 2));
    for (int k = 0; k < h / 2; ++k) {
        m_twRe[k] = static_cast<float>(std::cos(2 * pi * k / h));
        m_twIm[k] = static_cast<float>(-std::sin(2 * pi * k / h));
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
    // First stage (len 2) has only the trivial twiddle.
    for (int i = 0; i < h; i += 2) {
        const float ar = re[i], ai = im[i], br = re[i + 1], bi = im[i + 1];
        re[i] = ar + br;
        im[i] = ai + bi;
        re[i + 1] = ar - br;
        im[i + 1] = ai - bi;
    }
    for (int len = 4; len <= h; len <<= 1) {
        const int half = len >> 1;
        const int step = h / len;
        for (int start = 0; start < h; start += len) {
            float* r0 = re + start;
            float* i0 = im + start;
            float* r1 = r0 + half;
            float* i1 = i0 + half;
            for (int j = 0; j < half; ++j) {
                const float wr = m_twRe[j * step], wi = m_twIm[j * step];
                const float tr = r1[j] * wr - i1[j] * wi;
                const float ti = r1[j] * wi + i1[j] * wr;
                r1[j] = r0[j] - tr;
                i1[j] = i0[j] - ti;
                r0[j] += tr;
                i0[j] += ti;
            }
        }
    }
    // Split the packed half-length transform into the real signal's spectrum.
    for (int k = 0; k <= h; ++k) {
        const int a = k == h ? 0 : k;
        const int b = k == 0 ? 0 : h - k;
        const float zr = re[a], zi = im[a];
        const float cr = re[b], ci = -im[b];
        const float er = 0.5f * (zr + cr), ei = 0.5f * (zi + ci);
        const float odr = 0.5f * (zi - ci), odi = -0.5f * (zr - cr);
        const float wr = m_splitRe[k], wi = m_splitIm[k];
        const float xr = er + odr * wr - odi * wi;
        const float xi = ei + odr * wi + odi * wr;
        out[k] = (xr * xr + xi * xi) * scale;
    }
}

} // namespace dw::detail
