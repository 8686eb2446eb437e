#!/usr/bin/env python3
"""Random text for scripts/peers/check-oniguruma: NUL-terminated UTF-8 strings mixing words,
contractions (including "'ſ", which Unicode case folding makes a contraction), digit runs, exotic
white space, CJK, emoji, combining marks, punctuation, control characters, letter-like numbers and
random code points of any age (assigned or not).

Usage: pretokenizer_corpus.py SEED COUNT > corpus.bin
"""
import random
import sys

SPACES = [" ", " ", "\t", "\n", "\r", "\x0b", "\x0c", "\x85", "\xa0", "\u1680", "\u2000", "\u200a",
          "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff", "\u200b", "\u180e", "\x1c",
          "\x1f"]
CONTRACTIONS = ["'s", "'S", "'\u017f", "'re", "'RE", "'rE", "'ll", "'lL", "'Ll", "'ve", "'m", "'d",
                "'t", "'x", "'", "n't", "'\u017ft", "'\u212a"]


def fragment(r):
    k = r.randrange(12)
    if k == 0:
        return r.choice(["the", " The", "HELLO", "x", "na\u00efve", "F\u00fchrer"])
    if k == 1:
        return r.choice(CONTRACTIONS)
    if k == 2:
        return "".join(r.choice("0123456789") for _ in range(r.randint(1, 9)))
    if k == 3:
        return "".join(r.choice(SPACES) for _ in range(r.randint(1, 5)))
    if k == 4:
        return "".join(chr(r.randint(0x4E00, 0x9FFF)) for _ in range(r.randint(1, 4)))
    if k == 5:
        return chr(r.randint(0x1F300, 0x1F64F)) + r.choice(["", "\u200d", "\ufe0f"])
    if k == 6:
        return r.choice(["a", "", " "]) + chr(r.randint(0x300, 0x36F))
    if k == 7:
        return r.choice(list(".,!?\u2026\u2014\u00ab\u00bb()[]{}<>|#$%&*+-/:;=@\\^_`~\u20ac"))
    if k == 8:
        return chr(r.randint(1, 0x1F))
    if k == 9:
        while True:
            c = r.randint(0x80, 0x323AF)
            if not 0xD800 <= c <= 0xDFFF:
                return chr(c)
    if k == 10:
        return "".join(chr(r.randint(0x2160, 0x2188)) for _ in range(r.randint(1, 4)))
    return chr(r.randint(0x20, 0x7E))


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    r = random.Random(seed)
    out = sys.stdout.buffer
    for _ in range(count):
        text = "".join(fragment(r) for _ in range(r.randint(1, 15)))
        out.write(text.encode("utf-8") + b"\0")


if __name__ == "__main__":
    main()
