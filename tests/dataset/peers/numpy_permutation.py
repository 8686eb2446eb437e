"""Peer for numpy_random_peer_test: np.random.default_rng(seed).permutation(n) from NumPy itself.

Usage: numpy_permutation.py N:SEED [N:SEED ...]
Prints one line per pair: "N SEED i0 i1 ... i(N-1)" (the permutation, space separated).
"""
import sys

import numpy as np


def main():
    for pair in sys.argv[1:]:
        n, seed = (int(x) for x in pair.split(":"))
        perm = np.random.default_rng(seed).permutation(n)
        sys.stdout.write(f"{n} {seed}")
        if n:
            sys.stdout.write(" " + " ".join(map(str, perm.tolist())))
        sys.stdout.write("\n")


if __name__ == "__main__":
    main()
