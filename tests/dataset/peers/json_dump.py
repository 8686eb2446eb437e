"""Peer for cnn_eval_writer_peer_test: re-dumps a JSON file as MLPerf's scripts write theirs.

Usage: json_dump.py IN OUT_JSON OUT_SIMPLEJSON
Loads IN (any JSON), writes json.dump(data, f, indent=4, ensure_ascii=False) to OUT_JSON
(prepare-calibration.py) and the same with simplejson to OUT_SIMPLEJSON (download_cnndm.py),
both as UTF-8.
"""
import json
import sys

import simplejson


def main():
    src, out_json, out_simplejson = sys.argv[1:4]
    with open(src, encoding="utf-8") as f:
        data = json.load(f)
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=4, ensure_ascii=False)
    with open(out_simplejson, "w", encoding="utf-8") as f:
        simplejson.dump(data, f, indent=4, ensure_ascii=False)


if __name__ == "__main__":
    main()
