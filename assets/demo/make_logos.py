#!/usr/bin/env python3
"""Draws the demo partners' logos (128x128 PNG) with the standard library only (zlib and
struct): a rounded tile in the brand's colour with a simple white emblem. Run it from this
folder to regenerate page-and-quill.png, bean-there.png and reel-nights.png."""

import struct
import zlib

SIZE = 128


def png(pixels):
    """A truecolour-with-alpha PNG of SIZE x SIZE from a function (x, y) -> (r, g, b, a)."""
    raw = bytearray()
    for y in range(SIZE):
        raw.append(0)  # filter type: none
        for x in range(SIZE):
            raw.extend(pixels(x, y))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b""))


def tile(colour, emblem):
    """A rounded square of `colour` with white where `emblem(x, y)` is true."""
    def pixels(x, y):
        r = 20
        cx = min(max(x, r), SIZE - 1 - r)
        cy = min(max(y, r), SIZE - 1 - r)
        if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
            return (0, 0, 0, 0)
        if emblem(x, y):
            return (255, 255, 255, 255)
        return colour + (255,)
    return pixels


def book(x, y):
    """An open book: two pages and a spine."""
    in_pages = 28 <= x <= 100 and 40 <= y <= 92
    spine = 62 <= x <= 66
    return in_pages and not spine and not (44 <= y <= 46 and x not in range(34, 95))


def cup(x, y):
    """A cup with a handle and steam."""
    body = 34 <= x <= 82 and 52 <= y <= 96 and not (40 <= x <= 76 and y <= 58)
    handle = (x - 88) ** 2 + (y - 70) ** 2 <= 144 and (x - 88) ** 2 + (y - 70) ** 2 >= 49
    steam = any(abs(x - (46 + 12 * i + (4 if (y // 6) % 2 else 0))) <= 1 for i in range(3)) and 26 <= y <= 44
    return body or (handle and x > 82) or steam


def play(x, y):
    """A film frame with a play triangle."""
    frame = 22 <= x <= 106 and 30 <= y <= 98 and not (28 <= x <= 100 and 36 <= y <= 92)
    triangle = 52 <= x <= 84 and abs(y - 64) <= (x - 52) * 0.6 and abs(y - 64) <= 20
    return frame or triangle


if __name__ == "__main__":
    for name, colour, emblem in [
        ("page-and-quill.png", (0x1B, 0x3A, 0x5C), book),
        ("bean-there.png", (0x5B, 0x34, 0x1C), cup),
        ("reel-nights.png", (0x8B, 0x1E, 0x3F), play),
    ]:
        with open(name, "wb") as out:
            out.write(png(tile(colour, emblem)))
