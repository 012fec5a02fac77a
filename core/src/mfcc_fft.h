// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Real FFT of a power-of-two length n (>= 4), float, for the MFCC front end: a complex radix-2
// FFT of n/2 points on the even/odd samples packed as re/im, then the usual split step.
// Tables are built once in the constructor; power() allocates nothing. Not thread-safe per
// instance (it owns its work buffers); use one per thread.

#include <vector>

namespace dw::detail {

class RealFft
{
public:
    explicit RealFft(int n);
    int size() const { return m_n; }
    int bins() const { return m_n / 2 + 1; }
    // x: n real samples (read only). power: bins() values |X[k]|^2 * scale.
    void power(const float* x, float* power, float scale);

private:
    int m_n = 0;
    int m_half = 0;
    std::vector<int> m_bitrev; // [half]
    std::vector<float> m_twRe; // complex FFT twiddles exp(-2 pi i k / half), k < half/2
    std::vector<float> m_twIm;
    std::vector<float> m_splitRe; // split twiddles exp(-2 pi i k / n), k <= half
    std::vector<float> m_splitIm;
    std::vector<float> m_re; // work [half]
    std::vector<float> m_im;
};

} // namespace dw::detail
