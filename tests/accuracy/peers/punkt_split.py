"""Peer for punkt_peer_test: nltk.sent_tokenize(text) itself, fed with the given punkt_tab files.

The files are installed into a temporary nltk_data tree, where every nltk finds them:
tokenizers/punkt_tab/english (read by nltk >= 3.8.2) and tokenizers/punkt/[PY3/]english.pickle (read by
nltk 3.8 and 3.8.1, MLPerf's pin, and by Debian's python3-nltk 3.8), the pickle being a
PunktSentenceTokenizer built from the same files with each line taken verbatim apart from its
line break (as the pickled English parameters hold them).

Usage: punkt_split.py PUNKT_ENGLISH_DIR TEXTS_JSON   (a JSON list of strings)
Prints a JSON list with the list of sentences of each text.
"""
import json
import os
import pickle
import shutil
import sys
import tempfile
from collections import defaultdict

import nltk
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
    with tempfile.TemporaryDirectory() as root:
        tokenizers = os.path.join(root, "tokenizers")
        shutil.copytree(sys.argv[1], os.path.join(tokenizers, "punkt_tab", "english"))
        tokenizer = PunktSentenceTokenizer(load(sys.argv[1]))
        for folder in ("punkt", os.path.join("punkt", "PY3")):  # nltk 3.8 reads PY3/
            os.makedirs(os.path.join(tokenizers, folder))
            with open(os.path.join(tokenizers, folder, "english.pickle"), "wb") as f:
                pickle.dump(tokenizer, f)
        nltk.data.path[:] = [root]
        with open(sys.argv[2], encoding="utf-8") as f:
            texts = json.load(f)
        sentences = [nltk.sent_tokenize(t) for t in texts]
    json.dump(sentences, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
