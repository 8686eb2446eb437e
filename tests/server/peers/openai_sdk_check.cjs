// A real client against `infermark serve`: the official OpenAI SDK for JavaScript (npm `openai`)
// exercises completions (text and token-id prompts), streaming with usage, stop strings,
// max_tokens, chat (streamed and not), and maps the server's 400 / 401 / 429 answers to its own
// error classes. Run by tests/server/openai_peer_test.cc:
//   node openai_sdk_check.cjs BASE_URL API_KEY MODEL PROMPT_IDS_JSON
// Asserts as it goes (exit 1 with the failed check on stderr) and prints a JSON report on stdout.
'use strict';
const assert = require('node:assert/strict');
const OpenAI = require('openai');

async function collectCompletion(stream) {
  const out = { text: '', token_ids: [], finish_reason: null, usage: null, chunks: 0 };
  for await (const chunk of stream) {
    out.chunks += 1;
    for (const c of chunk.choices) {
      out.text += c.text;
      out.token_ids.push(...(c.token_ids || []));
      if (c.finish_reason) out.finish_reason = c.finish_reason;
    }
    if (chunk.usage) out.usage = chunk.usage;
  }
  return out;
}

async function expectError(promise, cls, status) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e && e.constructor && e.constructor.name}: ${e}`);
    assert.equal(e.status, status);
    return { class: e.constructor.name, status: e.status, param: e.param ?? null, code: e.code ?? null,
             type: e.type ?? null, message: e.message };
  }
  assert.fail(`expected ${cls.name}, but the request succeeded`);
}

// Polls /metrics (bounded) until the engine has one request waiting.
async function waitForQueued(metricsURL) {
  for (let i = 0; i < 200; i++) {
    const text = await (await fetch(metricsURL)).text();
    if (/^infermark:num_requests_waiting\{[^}]*\} 1$/m.test(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail('the second long request never showed up as waiting in /metrics');
}

async function main() {
  const [baseURL, apiKey, model, idsJson] = process.argv.slice(2);
  const ids = JSON.parse(idsJson);
  const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 120000 });
  const greedy = { temperature: 0, top_p: 1, ignore_eos: true };
  const report = {};

  const models = await client.models.list();
  assert.equal(models.data[0].id, model);
  report.models = models.data.map((m) => m.id);

  const text = await client.completions.create({ model, prompt: 'The capital of France is', max_tokens: 8, ...greedy });
  assert.equal(text.object, 'text_completion');
  assert.equal(text.choices[0].finish_reason, 'length');
  assert.equal(text.usage.completion_tokens, 8);
  report.text_prompt = { text: text.choices[0].text, usage: text.usage };

  const byIds = await client.completions.create({ model, prompt: ids, max_tokens: 8, return_token_ids: true, ...greedy });
  assert.equal(byIds.choices[0].token_ids.length, 8);
  assert.deepEqual(byIds.choices[0].prompt_token_ids, ids);
  report.ids_prompt = { text: byIds.choices[0].text, token_ids: byIds.choices[0].token_ids, usage: byIds.usage };

  const streamed = await collectCompletion(await client.completions.create({
    model, prompt: ids, max_tokens: 8, stream: true, stream_options: { include_usage: true },
    return_token_ids: true, ...greedy }));
  assert.equal(streamed.text, byIds.choices[0].text);
  assert.deepEqual(streamed.token_ids, byIds.choices[0].token_ids);
  assert.equal(streamed.finish_reason, 'length');
  assert.deepEqual(streamed.usage, byIds.usage);
  report.stream = streamed;

  // A stop string taken from the middle of the greedy text: the text ends right before it.
  const full = byIds.choices[0].text;
  const codePoints = Array.from(full);
  assert.ok(codePoints.length >= 4, `greedy text too short for a stop test: ${JSON.stringify(full)}`);
  const middle = Math.floor(codePoints.length / 2);
  const stop = codePoints.slice(middle, middle + 2).join('');
  const stopped = await client.completions.create({ model, prompt: ids, max_tokens: 8, stop: [stop], ...greedy });
  assert.equal(stopped.choices[0].finish_reason, 'stop');
  assert.equal(stopped.choices[0].text, full.slice(0, full.indexOf(stop)));
  report.stop = { stop, text: stopped.choices[0].text, usage: stopped.usage };

  const messages = [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Say hello.' }];
  const chat = await client.chat.completions.create({ model, messages, max_tokens: 6, ...greedy });
  assert.equal(chat.object, 'chat.completion');
  assert.equal(chat.choices[0].message.role, 'assistant');
  assert.equal(chat.usage.completion_tokens, 6);
  let chatText = '';
  let chatUsage = null;
  for await (const chunk of await client.chat.completions.create({
    model, messages, max_completion_tokens: 6, stream: true, stream_options: { include_usage: true }, ...greedy })) {
    for (const c of chunk.choices) chatText += c.delta.content ?? '';
    if (chunk.usage) chatUsage = chunk.usage;
  }
  assert.equal(chatText, chat.choices[0].message.content);
  assert.deepEqual(chatUsage, chat.usage);
  report.chat = { content: chat.choices[0].message.content, usage: chat.usage };

  report.errors = {};
  report.errors.bad_request = await expectError(
    client.completions.create({ model, prompt: ids, max_tokens: 0 }), OpenAI.BadRequestError, 400);
  assert.equal(report.errors.bad_request.param, 'max_tokens');
  report.errors.unauthorized = await expectError(
    new OpenAI({ baseURL, apiKey: 'wrong-key', maxRetries: 0 }).completions.create({ model, prompt: ids }),
    OpenAI.AuthenticationError, 401);
  // The server runs with one sequence and a queue of one: while a long stream runs and another
  // waits, the next request is refused.
  const abort = new AbortController();
  const long = { model, prompt: ids, max_tokens: 3000, stream: true, ...greedy };
  const running = await client.completions.create(long, { signal: abort.signal });
  await running[Symbol.asyncIterator]().next();
  const queued = client.completions.create(long, { signal: abort.signal }).catch(() => null);
  await waitForQueued(baseURL.replace(/\/v1$/, '') + '/metrics');
  report.errors.rate_limited = await expectError(
    client.completions.create({ model, prompt: ids, max_tokens: 1 }), OpenAI.RateLimitError, 429);
  abort.abort();
  await queued;

  process.stdout.write(JSON.stringify(report) + '\n');
}

main().catch((e) => {
  process.stderr.write(`openai_sdk_check: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
