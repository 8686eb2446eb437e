"""Makes the golden files of tests/dataset (run by hand; the tests only read the results).

The goldens come from tools independent of infermark: Python's csv module reads validation.csv,
Hugging Face's tokenizer algorithm (npm @huggingface/tokenizers via scripts/peers/run
hf_tokenizer.cjs) encodes the prompts with add_special_tokens=True, NumPy picks the edge subset,
and json.dump(indent=4, ensure_ascii=False) writes the files, as download_cnndm.py and
prepare-calibration.py do.

Usage (from the repository root, after building the tokenizer):
  python3 tests/dataset/data/golden/make_golden.py build/release/llama3-tokenizer
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
TEMPLATE = ("Summarize the following news article in 128 tokens. Please output the summary only, "
            "without any other text.\n\nArticle:\n{input}\n\nSummary:")


def encode(tokenizer_dir, texts):
    with tempfile.TemporaryDirectory() as tmp:
        request, result = os.path.join(tmp, "request.json"), os.path.join(tmp, "result.json")
        with open(request, "w", encoding="utf-8") as f:
            json.dump({"encode": texts, "add_special_tokens": True}, f)
        subprocess.run([os.path.join(ROOT, "scripts", "peers", "run"), "hf_tokenizer.cjs",
                        tokenizer_dir, request, result], check=True)
        with open(result, encoding="utf-8") as f:
            return json.load(f)["ids"]


def samples(rows, ids, instruction):
    out = []
    for row, tok in zip(rows, ids):
        x = {"instruction": instruction, "input": row["article"]}
        x["tok_input"] = tok
        x["output"] = row["highlights"]
        out.append(x)
    return out


def dump(name, data):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(data, f, indent=4, ensure_ascii=False)


def main():
    tokenizer_dir = os.path.abspath(sys.argv[1])
    with open(os.path.join(HERE, "validation.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    ids = encode(tokenizer_dir, [TEMPLATE.format_map({"input": r["article"]}) for r in rows])
    full = samples(rows, ids, {"llama": TEMPLATE})
    dump("cnn_eval.json", full)
    dump("cnn_eval_3.json", [full[i] for i in np.random.default_rng(42).permutation(len(rows))[:3]])
    by_id = {r["id"]: (r, t) for r, t in zip(rows, ids)}
    with open(os.path.join(HERE, "calibration-list.txt"), encoding="utf-8") as f:
        listed = [by_id[i] for i in f.read().splitlines()]
    dump("cnn_dailymail_calibration.json",
         samples([r for r, _ in listed], [t for _, t in listed], TEMPLATE))


if __name__ == "__main__":
    main()
