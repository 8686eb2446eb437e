// Inline SVG charts for the HTML reports: line/step charts (CDFs, rates over time), histograms
// and horizontal percentile bars with a limit line. Output is an `<svg>` element with no
// namespace URL, external font or script, so a page embedding it stays self-contained. Colours
// are CSS colour strings; all text is HTML-escaped here.
#pragma once

#include <cmath>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace infermark::report::svg {

struct Axis {
  std::string label;  // e.g. "latency (ms)"
  double min = NAN;   // NaN: from the data (0 for bar and histogram value axes)
  double max = NAN;   // NaN: from the data
};

// A vertical reference line across the plot (e.g. a latency limit) at data coordinate x.
struct Marker {
  double x = 0;
  std::string label;
  std::string color = "#cf222e";
};

struct ChartOptions {
  std::string title;
  Axis x, y;
  int width = 520;
  int height = 280;
  std::vector<Marker> markers;  // drawn only when inside the x range
  std::string note;             // small grey line under the plot (e.g. what was clipped)
  bool legend_on_top = false;   // legend in the title row (for data that fills the plot)
};

struct Series {
  std::string label;  // legend text; no legend when a chart has one unlabelled series
  std::string color;
  std::vector<double> x, y;  // equal lengths, x ascending
  bool dashed = false;
  bool step = false;  // a staircase holding each y until the next x (a CDF, a binned rate)
};

// Lines through each series' points, in order (later series on top).
std::string line_chart(const ChartOptions& options, std::span<const Series> series);

// Bars between consecutive `edges` (n+1 values) with heights `counts` (n values).
std::string histogram(const ChartOptions& options, std::span<const double> edges,
                      std::span<const double> counts, const std::string& color);

struct Bar {
  std::string label;       // left of the bar, e.g. "p99"
  double value = 0;        // length, in x-axis units
  std::string value_text;  // printed after the bar, e.g. "23.5 ms"
};

// Horizontal bars, top to bottom, with an optional limit line (x = *limit). A limit far beyond
// the bars (more than 3x the longest) is not drawn to scale; the note says where it is instead.
std::string bar_chart(const ChartOptions& options, std::span<const Bar> bars,
                      std::optional<double> limit, const std::string& limit_label,
                      const std::string& color);

// Up to `count`+1 round tick values ("nice" steps of 1, 2 or 5 x 10^k) covering [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int count);

// A distinct, colour-blind-friendly colour for series `i`.
const std::string& palette(size_t i);

}  // namespace infermark::report::svg
