// Writes a Llama-3.1 tokenizer.json and tokenizer_config.json into OUT_DIR, rebuilt from the data
// that the npm package llama3-tokenizer-js bakes into its bundle: the 128000 byte-level vocab
// strings (ids 0..127999), the 256 Llama-3.1 special token names (ids 128000..128255) and the
// 280147 merges in rank order. The structure is that of Meta's Llama-3.1 tokenizer.json
// (tokenizer-model-rouge.md §1.1): no normalizer, the Llama-3 Split regex + ByteLevel
// pre-tokenizer, BPE with ignore_merges, legacy "a b" merge strings, the 256 specials as
// added_tokens, a TemplateProcessing post-processor that prepends <|begin_of_text|>, and a
// ByteLevel decoder. tokenizer_config.json carries what transformers reads from Llama-3.1-8B-
// Instruct's: bos/eos tokens, clean_up_tokenization_spaces=true, and a chat template (the 3.1
// template's path without tools).
//
// Usage (through scripts/peers/run, which puts the package on NODE_PATH):
//   node make_llama3_tokenizer.cjs OUT_DIR
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const kVocabSize = 128000;
const kSpecialCount = 256;
const kMergeCount = 280147;
const kSplitRegex =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+" +
    "[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

function fail(message) {
  process.stderr.write(`make_llama3_tokenizer: ${message}\n`);
  process.exit(1);
}

function loadPackageData() {
  const bundle = require(
      'llama3-tokenizer-js/bundle/commonjs-llama3-tokenizer-with-baked-data.cjs');
  const tok = bundle.llama3Tokenizer;
  if (!tok || !Array.isArray(tok.vocabById) || !(tok.merges instanceof Map)) {
    fail('llama3-tokenizer-js: unexpected bundle layout (vocabById / merges not found)');
  }
  const vocab = tok.vocabById;
  if (vocab.length !== kVocabSize + kSpecialCount) {
    fail(`llama3-tokenizer-js: expected ${kVocabSize + kSpecialCount} tokens, got ${vocab.length}`);
  }
  const merges = [];
  let lastPriority = 0;
  for (const [pair, priority] of tok.merges) {
    if (priority <= lastPriority) fail(`merge priorities not increasing at "${pair}"`);
    lastPriority = priority;
    merges.push(pair);
  }
  if (merges.length !== kMergeCount) {
    fail(`llama3-tokenizer-js: expected ${kMergeCount} merges, got ${merges.length}`);
  }
  return {vocab, merges};
}

function buildTokenizerJson({vocab, merges}) {
  const vocabObject = {};
  for (let id = 0; id < kVocabSize; ++id) {
    if (Object.prototype.hasOwnProperty.call(vocabObject, vocab[id])) {
      fail(`duplicate vocab entry "${vocab[id]}"`);
    }
    vocabObject[vocab[id]] = id;
  }
  const addedTokens = [];
  for (let id = kVocabSize; id < kVocabSize + kSpecialCount; ++id) {
    addedTokens.push({
      id, content: vocab[id], single_word: false, lstrip: false, rstrip: false,
      normalized: false, special: true,
    });
  }
  const bos = '<|begin_of_text|>';
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        {type: 'Split', pattern: {Regex: kSplitRegex}, behavior: 'Isolated', invert: false},
        {type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false},
      ],
    },
    post_processor: {
      type: 'Sequence',
      processors: [
        {type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true},
        {
          type: 'TemplateProcessing',
          single: [{SpecialToken: {id: bos, type_id: 0}}, {Sequence: {id: 'A', type_id: 0}}],
          pair: [
            {SpecialToken: {id: bos, type_id: 0}}, {Sequence: {id: 'A', type_id: 0}},
            {SpecialToken: {id: bos, type_id: 1}}, {Sequence: {id: 'B', type_id: 1}},
          ],
          special_tokens: {[bos]: {id: bos, ids: [kVocabSize], tokens: [bos]}},
        },
      ],
    },
    decoder: {type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true},
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: true,
      vocab: vocabObject,
      merges,
    },
  };
}

// The Llama-3.1 Instruct template without its tool-calling branches.
const kChatTemplate = [
  '{{- bos_token }}',
  '{%- if not date_string is defined %}{%- set date_string = "26 Jul 2024" %}{%- endif %}',
  "{%- if messages[0]['role'] == 'system' %}",
  "{%- set system_message = messages[0]['content']|trim %}{%- set messages = messages[1:] %}",
  '{%- else %}{%- set system_message = "" %}{%- endif %}',
  '{{- "<|start_header_id|>system<|end_header_id|>\\n\\n" }}',
  '{{- "Cutting Knowledge Date: December 2023\\n" }}',
  '{{- "Today Date: " + date_string + "\\n\\n" }}',
  '{{- system_message }}{{- "<|eot_id|>" }}',
  '{%- for message in messages %}',
  "{%- if not (message.role == 'ipython' or message.role == 'tool') %}",
  "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ " +
      "message['content'] | trim + '<|eot_id|>' }}",
  '{%- else %}{{- "<|start_header_id|>ipython<|end_header_id|>\\n\\n" }}',
  '{{- message.content | tojson }}{{- "<|eot_id|>" }}{%- endif %}',
  '{%- endfor %}',
  "{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}" +
      '{%- endif %}',
].join('\n');

function buildTokenizerConfig(tokenizerJson) {
  const decoder = {};
  for (const t of tokenizerJson.added_tokens) {
    decoder[String(t.id)] = {
      content: t.content, lstrip: false, normalized: false, rstrip: false, single_word: false,
      special: true,
    };
  }
  return {
    added_tokens_decoder: decoder,
    bos_token: '<|begin_of_text|>',
    chat_template: kChatTemplate,
    clean_up_tokenization_spaces: true,
    eos_token: '<|eot_id|>',
    model_input_names: ['input_ids', 'attention_mask'],
    model_max_length: 131072,
    tokenizer_class: 'PreTrainedTokenizerFast',
  };
}

function writeAtomic(file, text) {
  const tmp = `${file}.tmp.${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function main() {
  const outDir = process.argv[2];
  if (!outDir) fail('usage: make_llama3_tokenizer.cjs OUT_DIR');
  fs.mkdirSync(outDir, {recursive: true});
  const tokenizerJson = buildTokenizerJson(loadPackageData());
  writeAtomic(path.join(outDir, 'tokenizer_config.json'),
              JSON.stringify(buildTokenizerConfig(tokenizerJson), null, 2) + '\n');
  // Written last: its presence marks a complete folder.
  writeAtomic(path.join(outDir, 'tokenizer.json'), JSON.stringify(tokenizerJson, null, 2) + '\n');
  process.stdout.write(`make_llama3_tokenizer: wrote ${outDir}/tokenizer.json ` +
                       `(${tokenizerJson.model.merges.length} merges) and tokenizer_config.json\n`);
}

main();
