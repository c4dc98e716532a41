#pragma once
// Hand-made PNG bytes for tests that need a file lying about its size; Qt Core only, so the
// CLI tests can use it too.
#include <QByteArray>

namespace fixtures {

namespace detail {

inline void put32(QByteArray& b, quint32 v) {
    for (int s = 24; s >= 0; s -= 8) b.append(char((v >> s) & 0xff));
}

// One PNG chunk: length, type + data, CRC-32 of type + data.
inline void appendChunk(QByteArray& png, const QByteArray& typeAndData) {
    quint32 crc = 0xffffffffu;
    for (char ch : typeAndData) {
        crc ^= quint8(ch);
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    put32(png, quint32(typeAndData.size() - 4));
    png.append(typeAndData);
    put32(png, crc ^ 0xffffffffu);
}

}  // namespace detail

// A tiny PNG whose header claims the given size: a few junk bytes of pixel data.
inline QByteArray pngHeaderClaiming(quint32 width, quint32 height) {
    QByteArray ihdr("IHDR");
    detail::put32(ihdr, width);
    detail::put32(ihdr, height);
    ihdr.append(char(8)).append(char(2)).append(char(0)).append(char(0)).append(char(0));  // 8-bit RGB
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    detail::appendChunk(png, ihdr);
    detail::appendChunk(png, QByteArray("IDAT") + QByteArray(16, '\0'));
    detail::appendChunk(png, QByteArray("IEND"));
    return png;
}

}  // namespace fixtures
