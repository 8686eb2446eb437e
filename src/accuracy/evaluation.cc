#include "accuracy/evaluation.h"

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "accuracy/numpy_compat.h"
#include "accuracy/python_unicode.h"
#include "accuracy/rouge.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json.h"

namespace infermark::accuracy {
namespace {

constexpr AccuracyReference kDatacenter{"llama3.1-8b", 38.7792, 15.9075, 24.4957,
                                        35.793,        8167644, 13368};
constexpr AccuracyReference kEdge{
    "llama3.1-8b-edge", 39.06, 16.1147, 24.6375, 36.124, 3051113, 5000};

// Post-processes and scores pairs [0, n) on `threads` threads; results land at their index.
std::vector<SampleScore> score_pairs(std::span<const std::string_view> predictions,
                                     std::span<const std::string_view> references,
                                     const SentenceSplitter& splitter, int threads) {
  const size_t n = predictions.size();
  std::vector<SampleScore> out(n);
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    try {
      RougeScorer scorer(true);
      constexpr size_t kChunk = 16;
      for (size_t begin = next.fetch_add(kChunk); begin < n; begin = next.fetch_add(kChunk)) {
        for (size_t i = begin; i < std::min(n, begin + kChunk); ++i) {
          const std::string pred = splitter.postprocess(predictions[i]);
          const std::string ref = splitter.postprocess(references[i]);
          const RougeScores s = scorer.score(ref, pred);
          out[i].rouge1 = s.rouge1.fmeasure;
          out[i].rouge2 = s.rouge2.fmeasure;
          out[i].rougeL = s.rougeL.fmeasure;
          out[i].rougeLsum = s.rougeLsum.fmeasure;
          out[i].gen_len = static_cast<int64_t>(count_code_points(pred));
        }
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
    }
  };
  size_t workers = threads > 0 ? static_cast<size_t>(threads)
                               : std::max(1u, std::thread::hardware_concurrency());
  workers = std::max<size_t>(1, std::min(workers, (n + 15) / 16));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return out;
}

AccuracyResults aggregate(std::vector<SampleScore> samples, const EvaluationOptions& options) {
  AccuracyResults r;
  const size_t n = samples.size();
  std::vector<double> f(n);
  auto score = [&](double SampleScore::*field, double* value, std::string* text) {
    for (size_t i = 0; i < n; ++i) f[i] = samples[i].*field;
    *value = numpy_round(numpy_mean(f) * 100, 4);
    *text = python_float_repr(*value);
  };
  score(&SampleScore::rouge1, &r.rouge1, &r.rouge1_text);
  score(&SampleScore::rouge2, &r.rouge2, &r.rouge2_text);
  score(&SampleScore::rougeL, &r.rougeL, &r.rougeL_text);
  score(&SampleScore::rougeLsum, &r.rougeLsum, &r.rougeLsum_text);
  for (const SampleScore& s : samples) r.gen_len += s.gen_len;
  r.gen_num = static_cast<int64_t>(n);
  r.exact_sentence_split = options.splitter->exact();
  r.target = options.target;
  r.check = check_targets(r, options.target);
  if (options.keep_samples) r.samples = std::move(samples);
  return r;
}

void require_splitter(const EvaluationOptions& options) {
  if (options.splitter == nullptr) {
    throw Error("accuracy evaluation: no sentence splitter given (EvaluationOptions::splitter)");
  }
}

}  // namespace

const AccuracyReference& accuracy_reference(AccuracyTarget target) {
  return target == AccuracyTarget::kEdge ? kEdge : kDatacenter;
}

AccuracyResults evaluate_accuracy_log(const AccuracyLog& log,
                                      std::span<const std::string> references,
                                      const EvaluationOptions& options) {
  require_splitter(options);
  if (!options.decode) throw Error("accuracy evaluation: no token decoder given");
  const std::vector<size_t> picked = first_entry_per_sample(log);
  if (picked.empty()) {
    throw Error::format("{}: no entries to score",
                        log.origin.empty() ? "accuracy log" : log.origin);
  }
  std::vector<std::string> predictions;
  std::vector<std::string_view> preds;
  std::vector<std::string_view> refs;
  predictions.reserve(picked.size());
  for (size_t i : picked) {
    const AccuracyLogEntry& e = log.entries[i];
    if (static_cast<uint64_t>(e.qsl_idx) >= references.size()) {
      throw Error::format("{}: entry {} (qsl_idx {}): no such sample, the dataset has {}",
                          log.origin.empty() ? "accuracy log" : log.origin, i, e.qsl_idx,
                          references.size());
    }
    predictions.push_back(options.decode(e.data));
    refs.push_back(references[static_cast<size_t>(e.qsl_idx)]);
  }
  for (const std::string& p : predictions) preds.push_back(p);
  std::vector<SampleScore> samples = score_pairs(preds, refs, *options.splitter, options.threads);
  for (size_t k = 0; k < picked.size(); ++k) samples[k].qsl_idx = log.entries[picked[k]].qsl_idx;
  AccuracyResults r = aggregate(std::move(samples), options);
  r.log_sha256 = log.sha256;
  r.log_entries = log.entries.size();
  return r;
}

AccuracyResults evaluate_accuracy_log(const std::filesystem::path& log_path,
                                      std::span<const std::string> references,
                                      const EvaluationOptions& options) {
  return evaluate_accuracy_log(read_accuracy_log(log_path), references, options);
}

AccuracyResults score_texts(std::span<const std::string> predictions,
                            std::span<const std::string> references,
                            const EvaluationOptions& options) {
  require_splitter(options);
  if (predictions.size() != references.size()) {
    throw Error::format("score_texts: {} predictions but {} references", predictions.size(),
                        references.size());
  }
  if (predictions.empty()) throw Error("score_texts: no texts to score");
  std::vector<std::string_view> preds(predictions.begin(), predictions.end());
  std::vector<std::string_view> refs(references.begin(), references.end());
  return aggregate(score_pairs(preds, refs, *options.splitter, options.threads), options);
}

TextPairs read_texts_file(const std::filesystem::path& path) {
  const std::string origin = path.string();
  const util::Json doc = util::parse_json(util::read_file(path), origin);
  if (!doc.is_object()) throw Error::format("{}: expected a JSON object", origin);
  TextPairs out;
  for (auto [key, target] :
       {std::pair{"predictions", &out.predictions}, std::pair{"references", &out.references}}) {
    auto it = doc.find(key);
    if (it == doc.end()) throw Error::format("{}: missing field '{}'", origin, key);
    if (!it->is_array()) throw Error::format("{}: field '{}' must be an array", origin, key);
    for (size_t i = 0; i < it->size(); ++i) {
      const util::Json& v = (*it)[i];
      if (!v.is_string()) {
        throw Error::format("{}: {}[{}] must be a string, got {}", origin, key, i, v.type_name());
      }
      target->push_back(v.get<std::string>());
    }
  }
  if (out.predictions.size() != out.references.size()) {
    throw Error::format("{}: {} predictions but {} references", origin, out.predictions.size(),
                        out.references.size());
  }
  if (out.predictions.empty()) throw Error::format("{}: no texts to score", origin);
  return out;
}

TargetCheck check_targets(const AccuracyResults& r, AccuracyTarget target) {
  const AccuracyReference& ref = accuracy_reference(target);
  TargetCheck c;
  auto rouge = [&](const char* name, double value, double reference, bool* ok) {
    const double threshold = reference * 0.99;  // the checker's constant, computed the same way
    *ok = value >= threshold;
    if (!*ok) {
      c.failures.push_back(fmt::format("{} {} < {} (99% of {})", name, python_float_repr(value),
                                       python_float_repr(threshold), python_float_repr(reference)));
    }
  };
  rouge("rouge1", r.rouge1, ref.rouge1, &c.rouge1);
  rouge("rouge2", r.rouge2, ref.rouge2, &c.rouge2);
  rouge("rougeL", r.rougeL, ref.rougeL, &c.rougeL);
  rouge("rougeLsum", r.rougeLsum, ref.rougeLsum, &c.rougeLsum);
  const double low = static_cast<double>(ref.gen_len) * 0.9;
  const double high = static_cast<double>(ref.gen_len) * 1.1;
  const auto gen_len = static_cast<double>(r.gen_len);
  c.gen_len = gen_len >= low && gen_len <= high;
  if (!c.gen_len) {
    c.failures.push_back(fmt::format("gen_len {} outside [{}, {}] (90%..110% of {})", r.gen_len,
                                     python_float_repr(low), python_float_repr(high), ref.gen_len));
  }
  c.gen_num = r.gen_num == ref.sample_count;
  if (!c.gen_num) {
    c.failures.push_back(
        fmt::format("gen_num {} != {} samples of {}", r.gen_num, ref.sample_count, ref.name));
  }
  return c;
}

std::string format_results_dict(const AccuracyResults& r) {
  return fmt::format(
      "{{'rouge1': '{}', 'rouge2': '{}', 'rougeL': '{}', 'rougeLsum': '{}', 'gen_len': {}, "
      "'gen_num': {}}}",
      r.rouge1_text, r.rouge2_text, r.rougeL_text, r.rougeLsum_text, r.gen_len, r.gen_num);
}

std::string accuracy_txt(const AccuracyResults& r) {
  std::string out = "\nResults\n\n" + format_results_dict(r) + "\n";
  if (!r.exact_sentence_split) out += std::string(kNotComparableNote) + "\n";
  if (!r.log_sha256.empty()) out += "hash=" + r.log_sha256 + "\n";
  return out;
}

void write_accuracy_txt(const std::filesystem::path& path, const AccuracyResults& results) {
  util::write_file_atomic(path, accuracy_txt(results));
}

}  // namespace infermark::accuracy
