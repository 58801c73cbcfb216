"""Draw the app icons of the volunteers' app (static/icons/app-192.png, app-512.png).

The favicon's two people, white on the site's teal, in plain Python (no image library):
the background fills the square and the people stay inside its middle 60 %, so a phone
may cut the icon to a circle or a rounded square ("maskable"). Run once after changing
the design: python scripts/make_app_icons.py
"""

import struct
import zlib
from pathlib import Path

BACKGROUND = (0x17, 0x4A, 0x50)
FOREGROUND = (0xFF, 0xFF, 0xFF)
SAMPLES = 4  # per axis: 16 samples a pixel smooth the edges
# The favicon's shapes in its 32-unit box: heads (circles) and shoulders (half ellipses).
HEADS = [(11, 13, 4), (21, 13, 4)]
SHOULDERS = [(11, 26, 6, 7), (21, 26, 6, 7)]
CENTRE = (16, 17.5)
CONTENT_WIDTH = 22


def covered(x, y):
    """True when the point (in favicon units) lies on one of the people."""
    for cx, cy, r in HEADS:
        if (x - cx) ** 2 + (y - cy) ** 2 <= r * r:
            return True
    for cx, cy, rx, ry in SHOULDERS:
        if y <= cy and ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1:
            return True
    return False


def draw(size):
    scale = CONTENT_WIDTH / (size * 0.6)
    rows = []
    for py in range(size):
        row = bytearray([0])  # PNG filter type "none"
        for px in range(size):
            hits = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = (px + (sx + 0.5) / SAMPLES - size / 2) * scale + CENTRE[0]
                    y = (py + (sy + 0.5) / SAMPLES - size / 2) * scale + CENTRE[1]
                    hits += covered(x, y)
            share = hits / SAMPLES**2
            row += bytes(
                round(b + (f - b) * share) for b, f in zip(BACKGROUND, FOREGROUND, strict=True)
            )
        rows.append(bytes(row))
    return png(size, b"".join(rows))


def png(size, raw):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    folder = Path(__file__).resolve().parent.parent / "static" / "icons"
    folder.mkdir(exist_ok=True)
    for size in (192, 512):
        (folder / f"app-{size}.png").write_bytes(draw(size))
