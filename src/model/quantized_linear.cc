#include "model/quantized_linear.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "util/error.h"

namespace infermark::model {
namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t group_count(const QuantizedLinear& l) {
  return l.scheme.strategy == ScaleStrategy::kGroup ? ceil_div(l.cols, l.scheme.group_size) : 1;
}

int pack_factor(const LinearQuantScheme& s) { return 32 / s.num_bits; }

// The expected scale shape; per-tensor scales may also be stored as a scalar.
std::vector<int64_t> scale_shape(const QuantizedLinear& l) {
  if (l.scheme.strategy == ScaleStrategy::kTensor) return {1};
  return {l.rows, group_count(l)};
}

std::vector<int64_t> zero_point_shape(const QuantizedLinear& l) {
  if (l.scheme.storage == QuantStorage::kPacked && l.scheme.strategy != ScaleStrategy::kTensor) {
    return {ceil_div(l.rows, pack_factor(l.scheme)), group_count(l)};
  }
  return scale_shape(l);
}

class TensorChecker {
 public:
  TensorChecker(const QuantizedLinear& l, const TensorLookup& bind, std::string_view where)
      : l_(l), bind_(bind), where_(where) {}

  const TensorView* find(std::string_view suffix) { return bind_(l_.module + std::string(suffix)); }

  TensorView require(std::string_view suffix) {
    const TensorView* t = find(suffix);
    if (!t) {
      throw Error::format("{}: missing tensor '{}{}' (Linear '{}' is {})", where_, l_.module,
                          suffix, l_.module, l_.scheme.describe());
    }
    return *t;
  }

  void check(const TensorView& t, std::initializer_list<DType> dtypes,
             const std::vector<int64_t>& shape, bool scalar_ok = false) const {
    if (std::find(dtypes.begin(), dtypes.end(), t.dtype) == dtypes.end()) {
      std::vector<std::string_view> names;
      for (DType d : dtypes) names.push_back(dtype_name(d));
      throw Error::format("{}: tensor '{}' has dtype {} but {} needs {}", where_, t.name,
                          dtype_name(t.dtype), l_.scheme.describe(), fmt::join(names, " or "));
    }
    if (t.shape != shape && !(scalar_ok && t.shape.empty())) {
      throw Error::format("{}: tensor '{}' has shape {} but {} of a [{}, {}] Linear needs {}",
                          where_, t.name, shape_text(t.shape), l_.scheme.describe(), l_.rows,
                          l_.cols, shape_text(shape));
    }
  }

  void check_weight_shape() {
    const TensorView t = require(".weight_shape");
    check(t, {DType::kI32, DType::kI64}, {2});
    int64_t v[2];
    for (int i = 0; i < 2; ++i) {
      if (t.dtype == DType::kI64) {
        std::memcpy(&v[i], t.data + 8 * i, 8);
      } else {
        int32_t x;
        std::memcpy(&x, t.data + 4 * i, 4);
        v[i] = x;
      }
    }
    if (v[0] != l_.rows || v[1] != l_.cols) {
      throw Error::format("{}: tensor '{}' says [{}, {}] but the config needs [{}, {}]", where_,
                          t.name, v[0], v[1], l_.rows, l_.cols);
    }
  }

 private:
  const QuantizedLinear& l_;
  const TensorLookup& bind_;
  std::string_view where_;
};

// Reads element i of an integer tensor of any alignment.
template <typename T>
T load(const TensorView& t, int64_t i) {
  T v;
  std::memcpy(&v, t.data + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return v;
}

void decode_values(const QuantizedLinear& l, QuantizedMatrix& m, std::string_view where) {
  const LinearQuantScheme& s = l.scheme;
  m.values.resize(static_cast<size_t>(l.rows * l.cols));
  const bool asym_int4 = !s.symmetric && s.num_bits == 4;
  if (s.storage == QuantStorage::kPacked) {
    const int64_t words = l.weight.shape[1];
    const int offset = asym_int4 ? 0 : 1 << (s.num_bits - 1);  // asymmetric int4 stays unsigned
    std::vector<int32_t> row(static_cast<size_t>(words));
    std::vector<uint8_t> u(static_cast<size_t>(l.cols));
    for (int64_t r = 0; r < l.rows; ++r) {
      std::memcpy(row.data(), l.weight.data + r * words * 4, row.size() * 4);
      unpack_int32(row, s.num_bits, u);
      for (int64_t c = 0; c < l.cols; ++c) {
        m.values[static_cast<size_t>(r * l.cols + c)] = static_cast<int8_t>(u[c] - offset);
      }
    }
    return;
  }
  std::memcpy(m.values.data(), l.weight.data, m.values.size());
  for (size_t i = 0; i < m.values.size(); ++i) {
    const int8_t v = m.values[i];
    const bool bad = s.weights == ops::WeightFormat::kFp8E4M3 ? (v & 0x7f) == 0x7f
                     : s.num_bits == 4                        ? v < -8 || v > 7
                                                              : false;
    if (bad) {
      throw Error::format("{}: tensor '{}' element [{}, {}] = {} is not a valid {} value", where,
                          l.weight.name, static_cast<int64_t>(i) / l.cols,
                          static_cast<int64_t>(i) % l.cols, v, ops::to_string(s.weights));
    }
    if (asym_int4) m.values[i] = static_cast<int8_t>(v + 8);
  }
}

void decode_scales(const QuantizedLinear& l, QuantizedMatrix& m, std::string_view where) {
  const auto n = static_cast<size_t>(l.scale.numel());
  std::vector<float> stored(n);
  convert_to_f32(l.scale.dtype, l.scale.data, n, stored.data());
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(stored[i]) || !(stored[i] > 0)) {
      throw Error::format("{}: tensor '{}' element {} = {} is not a finite positive scale", where,
                          l.scale.name, i, stored[i]);
    }
  }
  // Per-tensor: one per row, so concatenated matrices keep their own scale.
  m.scales = n == 1 ? std::vector<float>(static_cast<size_t>(l.rows), stored[0]) : stored;
}

void decode_zero_points(const QuantizedLinear& l, QuantizedMatrix& m, std::string_view where) {
  const LinearQuantScheme& s = l.scheme;
  const TensorView& z = *l.zero_point;
  if (s.symmetric) {  // an older writer's zeros: must be zeros
    const auto bytes = static_cast<int64_t>(z.nbytes);
    for (int64_t i = 0; i < bytes; ++i) {
      if (z.data[i] != std::byte{0}) {
        throw Error::format("{}: tensor '{}' has non-zero zero points but {} is symmetric", where,
                            z.name, l.module);
      }
    }
    return;
  }
  const int64_t groups = group_count(l);
  const int bits = s.num_bits, half = 1 << (bits - 1);
  m.zero_points.resize(static_cast<size_t>(l.rows * groups));
  for (int64_t r = 0; r < l.rows; ++r) {
    for (int64_t g = 0; g < groups; ++g) {
      int v;  // signed, in [-half, half)
      if (s.storage == QuantStorage::kPacked) {
        const int pf = pack_factor(s);
        const auto word = static_cast<uint32_t>(load<int32_t>(z, (r / pf) * groups + g));
        v = static_cast<int>((word >> (bits * (r % pf))) & ((1u << bits) - 1)) - half;
      } else {
        v = load<int8_t>(z, r * groups + g);
        if (v < -half || v >= half) {
          throw Error::format("{}: tensor '{}' element [{}, {}] = {} is outside int{}", where,
                              z.name, r, g, v, bits);
        }
      }
      m.zero_points[static_cast<size_t>(r * groups + g)] =
          static_cast<int8_t>(bits == 4 ? v + 8 : v);
    }
  }
}

}  // namespace

QuantizedLinear bind_quantized_linear(const std::string& module, const LinearQuantScheme& scheme,
                                      int64_t rows, int64_t cols, const TensorLookup& bind,
                                      std::string_view where) {
  QuantizedLinear l{module, scheme, rows, cols, {}, {}, std::nullopt};
  TensorChecker c(l, bind, where);
  if (scheme.storage == QuantStorage::kPacked) {
    l.weight = c.require(".weight_packed");
    c.check(l.weight, {DType::kI32}, {rows, ceil_div(cols, pack_factor(scheme))});
    c.check_weight_shape();
  } else {
    l.weight = c.require(".weight");
    const DType dtype = scheme.weights == ops::WeightFormat::kFp8E4M3 ? DType::kF8E4M3 : DType::kI8;
    c.check(l.weight, {dtype}, {rows, cols});
  }
  l.scale = c.require(".weight_scale");
  c.check(l.scale, {DType::kF32, DType::kF16, DType::kBF16}, scale_shape(l),
          scheme.strategy == ScaleStrategy::kTensor);
  if (const TensorView* z = c.find(".weight_zero_point")) {
    l.zero_point = *z;
  } else if (!scheme.symmetric) {
    l.zero_point = c.require(".weight_zero_point");
  }
  if (l.zero_point) {
    const bool packed_zp = zero_point_shape(l) != scale_shape(l);
    c.check(*l.zero_point, {packed_zp ? DType::kI32 : DType::kI8}, zero_point_shape(l),
            scheme.strategy == ScaleStrategy::kTensor);
  }
  if (scheme.fp8_activations) {
    if (const TensorView* s = c.find(".input_scale")) {
      c.check(*s, {DType::kF32, DType::kF16, DType::kBF16}, {1}, true);
    }
  }
  return l;
}

QuantizedMatrix decode_quantized(const QuantizedLinear& l, std::string_view where) {
  QuantizedMatrix m;
  m.format = l.scheme.weights;
  m.activations = l.scheme.activations;
  m.rows = l.rows, m.cols = l.cols;
  // A group wider than the matrix is one group per row: per channel.
  m.group_size = l.scheme.strategy == ScaleStrategy::kGroup
                     ? std::min(l.scheme.group_size, l.cols)
                     : l.cols;
  decode_values(l, m, where);
  decode_scales(l, m, where);
  if (l.zero_point) decode_zero_points(l, m, where);
  return m;
}

}  // namespace infermark::model
