"""Makes the app icons in static/icons/ (PNG, pure Python, no imaging library): a white Q (ring and
tail) on the accent blue of static/css/app.css. Usage: python3 scripts/make_icons.py static/icons"""
import math
import struct
import sys
import zlib
from pathlib import Path

BG = (0x1d, 0x4e, 0xd8)
FG = (0xff, 0xff, 0xff)

def png(path, size, pixels):
    raw = b"".join(b"\x00" + bytes(pixels[y * size * 4:(y + 1) * size * 4]) for y in range(size))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    Path(path).write_bytes(data)

def inside_rounded(x, y, size, radius):
    # x, y in [0, size)
    rx = min(max(x, radius), size - radius)
    ry = min(max(y, radius), size - radius)
    return (x - rx) ** 2 + (y - ry) ** 2 <= radius ** 2

def seg_dist(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0, min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))

def glyph(u, v, scale):
    """Is (u, v) in [-1, 1]^2 (centre 0) on the Q, drawn at `scale` of the half-size?"""
    u, v = u / scale, v / scale
    r = math.hypot(u, v)
    ring = 0.52 <= r <= 0.78
    tail = seg_dist(u, v, 0.25, 0.25, 0.78, 0.78) <= 0.12
    return ring or tail

def render(size, maskable):
    ss = 4
    px = bytearray(size * size * 4)
    radius = 0 if maskable else size * 0.2
    scale = 0.55 if maskable else 0.72  # maskable: inside the 80% safe circle
    for y in range(size):
        for x in range(size):
            bg = fg = 0
            for j in range(ss):
                for i in range(ss):
                    sx, sy = x + (i + .5) / ss, y + (j + .5) / ss
                    if maskable or inside_rounded(sx, sy, size, radius):
                        bg += 1
                        u, v = (sx / size) * 2 - 1, (sy / size) * 2 - 1
                        if glyph(u, v, scale):
                            fg += 1
            n = ss * ss
            a = bg / n
            if bg:
                f = fg / bg
                col = [round(BG[k] * (1 - f) + FG[k] * f) for k in range(3)]
            else:
                col = [0, 0, 0]
            o = (y * size + x) * 4
            px[o:o + 4] = bytes(col + [round(a * 255)])
    return px

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
for size in (192, 512):
    png(out / f"icon-{size}.png", size, render(size, False))
png(out / "icon-maskable-512.png", 512, render(512, True))
png(out / "apple-touch-icon-180.png", 180, render(180, True))
