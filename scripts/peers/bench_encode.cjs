// Encode throughput of Hugging Face's JS tokenizer (@huggingface/tokenizers) on the same input
// as bench/text/tokenizer_bench, for a side-by-side number. Prints one JSON line:
//   {"best_ms": ..., "tokens": ..., "bytes": ...}
//
//   node bench_encode.cjs TOKENIZER_DIR TEXT_FILE ARTICLES REPEATS
// Encodes TEXT_FILE ARTICLES times (one encode call per copy, no special tokens) per pass, after
// one warm-up pass; reports the fastest of REPEATS passes. One thread.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const {Tokenizer} = require('@huggingface/tokenizers');

function main() {
  const [dir, textFile, articlesArg, repeatsArg] = process.argv.slice(2);
  const articles = Number(articlesArg || 300);
  const repeats = Number(repeatsArg || 5);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'));
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8'));
  const tokenizer = new Tokenizer(json, config);
  const text = fs.readFileSync(textFile, 'utf8');
  const pass = () => {
    let tokens = 0;
    for (let i = 0; i < articles; ++i) {
      tokens += tokenizer.encode(text, {add_special_tokens: false}).ids.length;
    }
    return tokens;
  };
  pass();  // warm-up (JIT, caches)
  let best = Infinity;
  let tokens = 0;
  for (let r = 0; r < repeats; ++r) {
    const start = process.hrtime.bigint();
    tokens = pass();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    best = Math.min(best, ms);
  }
  const bytes = Buffer.byteLength(text, 'utf8') * articles;
  process.stdout.write(JSON.stringify({best_ms: best, tokens, bytes}) + '\n');
}

main();
