// The exact floating-point arithmetic of MLPerf's evaluation.py when it aggregates ROUGE:
// `f"{round(np.mean(v) * 100, 4)}"`. np.mean sums float64 with numpy's pairwise summation,
// round() on the resulting np.float64 uses numpy's rint(x * 10**d) / 10**d (not Python's
// correctly-rounded decimal rounding), and the f-string prints the shortest repr. Reproducing
// these bit for bit makes the printed 4th decimal agree with the reference script.
#pragma once

#include <span>
#include <string>

namespace infermark::accuracy {

// np.add.reduce over a contiguous float64 array: numpy's pairwise summation (blocks of 128,
// 8 partial sums, split at a multiple of 8).
double numpy_sum(std::span<const double> values);
// np.mean: numpy_sum(values) / n. NaN for an empty span.
double numpy_mean(std::span<const double> values);
// round(np.float64(x), decimals) for decimals >= 0: rint(x * 10**decimals) / 10**decimals with
// ties to even on the scaled binary value.
double numpy_round(double x, int decimals);
// str()/repr() of a Python float (and of np.float64): the shortest digits that round-trip,
// positional between 1e-4 and 1e16 with at least one decimal ("40.0"), else scientific
// ("1e-05", "1e+16").
std::string python_float_repr(double x);

// MLPerf's printed score for a list of per-sample F-measures:
// f"{round(np.mean(fmeasures) * 100, 4)}".
std::string mlperf_score_string(std::span<const double> fmeasures);

}  // namespace infermark::accuracy
