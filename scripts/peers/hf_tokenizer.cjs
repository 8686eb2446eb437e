// Peer for infermark's tokenizer tests: runs Hugging Face's tokenizer algorithm in JS
// (@huggingface/tokenizers) on a tokenizer.json and prints its results as JSON.
//
//   node hf_tokenizer.cjs TOKENIZER_DIR REQUEST.json RESULT.json
//
// REQUEST: {"encode": [text, ...], "add_special_tokens": bool,
//           "decode": [[id, ...], ...], "skip_special_tokens": bool}
// RESULT:  {"ids": [[id, ...], ...], "text": [decoded, ...]}
// Decoding is done without clean-up (tokenizers' own decode); both lists may be empty.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const {Tokenizer} = require('@huggingface/tokenizers');

function main() {
  const [dir, requestFile, resultFile] = process.argv.slice(2);
  if (!resultFile) {
    process.stderr.write('usage: hf_tokenizer.cjs TOKENIZER_DIR REQUEST.json RESULT.json\n');
    process.exit(2);
  }
  const tokenizerJson = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'));
  const configFile = path.join(dir, 'tokenizer_config.json');
  const config = fs.existsSync(configFile) ? JSON.parse(fs.readFileSync(configFile, 'utf8')) : {};
  // Decode raw text; infermark's clean-up is tested against transformers' rules separately.
  config.clean_up_tokenization_spaces = false;
  const tokenizer = new Tokenizer(tokenizerJson, config);
  const request = JSON.parse(fs.readFileSync(requestFile, 'utf8'));
  const addSpecial = Boolean(request.add_special_tokens);
  const skipSpecial = Boolean(request.skip_special_tokens);
  const result = {
    ids: (request.encode || []).map(
        (text) => Array.from(tokenizer.encode(text, {add_special_tokens: addSpecial}).ids)),
    text: (request.decode || []).map(
        (ids) => tokenizer.decode(ids, {skip_special_tokens: skipSpecial})),
  };
  fs.writeFileSync(resultFile, JSON.stringify(result));
}

main();
