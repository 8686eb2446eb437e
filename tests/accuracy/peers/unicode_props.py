"""Peer for unicode_peer_test: CPython's answers for every code point.

Line 1: one character per code point 0..0x10FFFF, the hex digit of a bit mask
        (1: re \\s, 2: re [^\\W\\d], 4: re \\d, 8: str.isupper, and a second digit for 16: islower),
        i.e. two hex digits per code point.
Then:   "cp l1 l2 ..." (decimal) for every code point whose str.lower() differs from itself.
"""
import re
import sys

space = re.compile(r"\s")
alpha = re.compile(r"[^\W\d]")
digit = re.compile(r"\d")
out = []
lowers = []
for cp in range(0x110000):
    c = chr(cp)
    mask = ((1 if space.match(c) else 0) | (2 if alpha.match(c) else 0) |
            (4 if digit.match(c) else 0) | (8 if c.isupper() else 0) |
            (16 if c.islower() else 0))
    out.append("%02x" % mask)
    low = c.lower()
    if low != c:
        lowers.append(" ".join(str(x) for x in [cp] + [ord(ch) for ch in low]))
sys.stdout.write("".join(out) + "\n")
sys.stdout.write("\n".join(lowers) + "\n")
