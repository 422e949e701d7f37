"""A small text extractor for the PDFs fpdf2 writes (tests only; pypdf is not a dependency).

It decodes each page's ``Tj``/``TJ`` strings through the fonts' ToUnicode maps, which is
enough to check that a report lists what it should. Lines come out in drawing order.
"""

from __future__ import annotations

import re
import zlib


def _unescape(raw: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x5C and i + 1 < len(raw):  # backslash
            n = raw[i + 1]
            simple = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
            if n in simple:
                out.append(simple[n])
                i += 2
                continue
            if 0x30 <= n <= 0x37:
                j = i + 1
                digits = b""
                while j < len(raw) and len(digits) < 3 and 0x30 <= raw[j] <= 0x37:
                    digits += bytes([raw[j]])
                    j += 1
                out.append(int(digits, 8) & 0xFF)
                i = j
                continue
            out.append(n)
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def pdf_text(data: bytes) -> str:
    objects = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}

    def stream(body: bytes) -> bytes:
        m = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
        raw = m.group(1)
        return zlib.decompress(raw) if b"/FlateDecode" in body else raw

    cmaps = {}
    for name, num in re.findall(rb"/(F\d+) (\d+) 0 R", data):
        font = objects[int(num)]
        m = re.search(rb"/ToUnicode (\d+) 0 R", font)
        if not m:
            continue
        cmap = {}
        text = stream(objects[int(m.group(1))])
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                cmap[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
            for lo, hi, dst in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
            ):
                start = int(dst, 16)
                for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                    cmap[code] = chr(start + k)
        cmaps[name.decode()] = cmap
    lines = []
    for body in objects.values():
        if b"stream" not in body or b"/Length" not in body:
            continue
        try:
            content = stream(body)
        except Exception:
            continue
        if b" Tj" not in content:
            continue
        font = None
        string = rb"\(((?:\\.|[^\\)])*)\)"
        pattern = rb"/(F\d+) [\d.]+ Tf|" + string + rb" Tj|\[((?:" + string + rb"|[^\]])*)\] TJ"
        for m in re.finditer(pattern, content, re.S):
            if m.group(1):
                font = m.group(1).decode()
                continue
            parts = [m.group(2)] if m.group(2) is not None else re.findall(string, m.group(3), re.S)
            cmap = cmaps.get(font, {})
            text = ""
            for part in parts:
                raw = _unescape(part)
                text += "".join(
                    cmap.get(int.from_bytes(raw[k : k + 2], "big"), "?")
                    for k in range(0, len(raw), 2)
                )
            lines.append(text)
    return "\n".join(lines)
