"""Peer for porter_stemmer_peer_test: prints NLTK's PorterStemmer().stem(w) for each input line.

Usage: stem_words.py WORDS_FILE   (UTF-8, one word per line; output: one stem per line)
"""
import sys

from nltk.stem.porter import PorterStemmer


def main():
    stemmer = PorterStemmer()
    with open(sys.argv[1], encoding="utf-8") as f:
        words = f.read().split("\n")
    if words and words[-1] == "":
        words.pop()
    out = sys.stdout
    for w in words:
        out.write(stemmer.stem(w) + "\n")


if __name__ == "__main__":
    main()
