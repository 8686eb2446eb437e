"""Peer for numpy_compat_peer_test: numpy's own mean/round/format, as MLPerf's evaluation.py uses
them.

Usage: numpy_agg.py INPUT_JSON   ({"arrays": [[float...]...], "values": [float...]})
Prints {"means": [float.hex of np.mean(a)], "scores": [f"{round(np.mean(a) * 100, 4)}"],
        "rounds": [f"{round(np.float64(x), 4)}"], "reprs": [f"{np.float64(x)}"]}.
"""
import json
import sys

import numpy as np


def main():
    with open(sys.argv[1]) as f:
        data = json.load(f)
    out = {"means": [], "scores": [], "rounds": [], "reprs": []}
    for a in data["arrays"]:
        out["means"].append(float(np.mean(a)).hex())
        out["scores"].append(f"{round(np.mean(a) * 100, 4)}")
    for x in data["values"]:
        out["rounds"].append(f"{round(np.float64(x), 4)}")
        out["reprs"].append(f"{np.float64(x)}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
