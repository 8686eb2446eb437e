// What the CPU can run, detected once at start, and the instruction-set level the CPU kernels
// use. Every op has a generic kernel (plain C++, any x86-64 or other CPU) and may have faster
// variants; `active_isa()` picks the best one this CPU supports, capped by `set_max_isa` (used
// by tests and benchmarks to force a slower variant). Thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace infermark::cpu {

// Instruction-set levels, ordered: a level implies everything below it.
enum class Isa : int {
  kGeneric = 0,  // no SIMD requirement beyond the compiler's baseline
  kAvx2 = 1,     // AVX2 + FMA + F16C
  kAvx512 = 2,   // AVX-512 F/BW/VL (every op; matmul only for m >= 16, below it AVX2's)
};

std::string_view isa_name(Isa isa);

// The highest level this CPU supports.
Isa detected_isa();

// min(detected_isa(), the cap set by set_max_isa); what dispatch uses.
Isa active_isa();

// Caps the level used by dispatch (kAvx512 = no cap). Affects later calls only.
void set_max_isa(Isa isa);

// Whether the CPU has AVX512-VNNI (vpdpbusd on zmm), which the int8 (W8A8) kernels use at the
// kAvx512 level; without it they run the AVX2 ones.
bool has_avx512_vnni();

// The level named `name` ("generic", "avx2", "avx512"), or nullopt.
std::optional<Isa> isa_from_name(std::string_view name);

// Number of physical cores (not hyper-threads) this process may run on; at least 1.
int physical_cores();

}  // namespace infermark::cpu
