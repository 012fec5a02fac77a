// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test helpers: a 16-bit mono PCM WAV file as bytes, and writing bytes to a path (its folders
// made). Shared by the CLI and reliability tests that plant WAVs on disk.
#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>

namespace dw::test {

// The 44-byte RIFF header + `pcm` (little-endian 16-bit samples) at `rate` Hz, mono.
inline QByteArray wavFileBytes(const QByteArray& pcm, quint32 rate = 16000)
{
    QByteArray h("RIFF");
    auto u32 = [&h](quint32 v) {
        for (int k = 0; k < 4; ++k)
            h.append(char((v >> (8 * k)) & 0xff));
    };
    auto u16 = [&h](quint16 v) {
        h.append(char(v & 0xff));
        h.append(char(v >> 8));
    };
    u32(36 + quint32(pcm.size()));
    h.append("WAVEfmt ");
    u32(16);
    u16(1);
    u16(1);
    u32(rate);
    u32(rate * 2);
    u16(2);
    u16(16);
    h.append("data");
    u32(quint32(pcm.size()));
    return h + pcm;
}

inline bool writeFileBytes(const QString& path, const QByteArray& bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

} // namespace dw::test
