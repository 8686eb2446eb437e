"""Peer for punkt_peer_test: nltk's sentence splitter with parameters from punkt_tab files.

nltk 3.8 (Debian python3-nltk) cannot read punkt_tab itself; its sent_tokenize(text) is
PunktSentenceTokenizer(<english parameters>).tokenize(text). This builds those parameters from
the four punkt_tab files, taking each line verbatim apart from its line break (as the pickled
parameters of nltk 3.8.1 hold them), and splits each text.

Usage: punkt_split.py PUNKT_ENGLISH_DIR TEXTS_JSON   (a JSON list of strings)
Prints a JSON list with the list of sentences of each text.
"""
import json
import os
import sys
from collections import defaultdict

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer


def lines(path):
    with open(path, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if line.endswith("\r"):
                line = line[:-1]
            if line:
                yield line


def load(lang_dir):
    params = PunktParameters()
    params.abbrev_types = set(lines(os.path.join(lang_dir, "abbrev_types.txt")))
    params.sent_starters = set(lines(os.path.join(lang_dir, "sent_starters.txt")))
    params.collocations = set(
        tuple(l.split("\t")) for l in lines(os.path.join(lang_dir, "collocations.tab")))
    ortho = defaultdict(int)
    for l in lines(os.path.join(lang_dir, "ortho_context.tab")):
        typ, flags = l.split("\t")
        ortho[typ] = int(flags)
    params.ortho_context = ortho
    return params


def main():
    tokenizer = PunktSentenceTokenizer(load(sys.argv[1]))
    with open(sys.argv[2], encoding="utf-8") as f:
        texts = json.load(f)
    json.dump([tokenizer.tokenize(t) for t in texts], sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
