#include "report/svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "report/html.h"

namespace infermark::report::svg {
namespace {

constexpr double kLeft = 58, kRight = 18, kTop = 30, kBottom = 44, kNoteHeight = 16;

struct Range {
  double lo = 0, hi = 1;
  std::vector<double> ticks;
};

// Extends [lo, hi] outwards to round tick values.
Range fit(double lo, double hi, int count) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (hi <= lo) hi = lo + (lo == 0 ? 1 : std::abs(lo) * 0.1);
  std::vector<double> t = nice_ticks(lo, hi, count);
  const double step = t.size() > 1 ? t[1] - t[0] : hi - lo;
  if (t.empty() || t.front() > lo + step * 1e-9) t.insert(t.begin(), t.front() - step);
  if (t.back() < hi - step * 1e-9) t.push_back(t.back() + step);
  return {t.front(), t.back(), t};
}

// A tick label with as many decimals as the step needs, in k or M when the axis reaches 10^4
// or 10^6 (`top` is the largest tick's magnitude): 2500000 -> "2.5M", 15000 -> "15k".
std::string tick_text(double v, double step, double top) {
  if (std::abs(v) < std::abs(step) * 1e-9) return "0";
  const double unit = top >= 1e6 ? 1e6 : top >= 1e4 ? 1e3 : 1;
  const char* suffix = unit == 1e6 ? "M" : unit == 1e3 ? "k" : "";
  const double a = std::abs(step) / unit;
  const int decimals = a >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(a) - 1e-9));
  return fmt::format("{:.{}f}{}", v / unit, decimals, suffix);
}

double top_of(const std::vector<double>& ticks) {
  double top = 0;
  for (double t : ticks) top = std::max(top, std::abs(t));
  return top;
}

std::string n(double v) { return fmt::format("{:.1f}", v); }

// Plot area geometry, axes and decorations shared by every chart kind.
class Frame {
 public:
  Frame(const ChartOptions& o, Range x, Range y) : o_(o), x_(std::move(x)), y_(std::move(y)) {
    height_ = o.height + (o.note.empty() ? 0 : kNoteHeight);
    right_ = o.width - kRight;
    bottom_ = o.height - kBottom;
  }
  double px(double x) const {
    return kLeft + (std::clamp(x, x_.lo, x_.hi) - x_.lo) / (x_.hi - x_.lo) * (right_ - kLeft);
  }
  double py(double y) const {
    return bottom_ - (std::clamp(y, y_.lo, y_.hi) - y_.lo) / (y_.hi - y_.lo) * (bottom_ - kTop);
  }
  double left() const { return kLeft; }
  double right() const { return right_; }
  double top() const { return kTop; }
  double bottom() const { return bottom_; }
  bool in_x(double x) const { return x >= x_.lo && x <= x_.hi; }

  // Opening tag, title, grid, tick labels and axis labels. `y_ticks` false: no y grid or
  // labels (horizontal bar charts label their rows instead).
  std::string begin(bool y_ticks = true) const {
    std::string s = fmt::format(
        "<svg class=\"chart\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" "
        "aria-label=\"{}\">\n<text class=\"t\" x=\"{}\" y=\"18\">{}</text>\n",
        o_.width, height_, o_.width, height_, html::escape(o_.title), kLeft,
        html::escape(o_.title));
    const double xstep = x_.ticks.size() > 1 ? x_.ticks[1] - x_.ticks[0] : 1;
    for (double t : x_.ticks) {
      s += fmt::format(
          "<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#eef1f4\"/>"
          "<text class=\"ax\" x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
          n(px(t)), n(kTop), n(bottom_), n(bottom_ + 15), tick_text(t, xstep, top_of(x_.ticks)));
    }
    if (y_ticks) {
      const double ystep = y_.ticks.size() > 1 ? y_.ticks[1] - y_.ticks[0] : 1;
      for (double t : y_.ticks) {
        s += fmt::format(
            "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"#eef1f4\"/>"
            "<text class=\"ax\" x=\"{3}\" y=\"{4}\" text-anchor=\"end\">{5}</text>\n",
            n(kLeft), n(right_), n(py(t)), n(kLeft - 6), n(py(t) + 4),
            tick_text(t, ystep, top_of(y_.ticks)));
      }
    }
    s += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"#8c959f\"/>\n",
                     n(kLeft), n(right_), n(bottom_));
    s += fmt::format("<text class=\"ax\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                     n((kLeft + right_) / 2), n(bottom_ + 33), html::escape(o_.x.label));
    if (y_ticks && !o_.y.label.empty()) {
      s += fmt::format(
          "<text class=\"ax\" transform=\"translate(13 {}) rotate(-90)\" "
          "text-anchor=\"middle\">{}</text>\n",
          n((kTop + bottom_) / 2), html::escape(o_.y.label));
    }
    return s;
  }

  // Markers, the note and the closing tag.
  std::string end() const {
    std::string s;
    for (const Marker& m : o_.markers) {
      if (!in_x(m.x)) continue;
      const double x = px(m.x);
      const bool near_right = x > right_ - 80;
      s += fmt::format(
          "<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"{3}\" "
          "stroke-dasharray=\"5 3\" stroke-width=\"1.5\"/>"
          "<text x=\"{4}\" y=\"{5}\" fill=\"{3}\" text-anchor=\"{6}\">{7}</text>\n",
          n(x), n(kTop), n(bottom_), m.color, n(near_right ? x - 4 : x + 4), n(kTop + 10),
          near_right ? "end" : "start", html::escape(m.label));
    }
    if (!o_.note.empty()) {
      s += fmt::format("<text class=\"ax\" x=\"{}\" y=\"{}\">{}</text>\n", n(kLeft), n(height_ - 4),
                       html::escape(o_.note));
    }
    return s + "</svg>\n";
  }

 private:
  const ChartOptions& o_;
  Range x_, y_;
  double height_, right_, bottom_;
};

// Legend: in the lower right of the plot on a translucent background, or one row right-aligned
// in the title line.
std::string legend(const Frame& f, std::span<const Series> series, bool on_top) {
  if (series.empty() || (series.size() == 1 && series[0].label.empty())) return {};
  auto text_width = [](const std::string& t) { return 6.2 * static_cast<double>(t.size()); };
  auto item = [](const Series& s, double x, double y) {
    return fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"{3}\" stroke-width=\"2.5\"{4}/>"
        "<text x=\"{5}\" y=\"{6}\">{7}</text>\n",
        n(x), n(x + 16), n(y - 4), s.color, s.dashed ? " stroke-dasharray=\"5 3\"" : "", n(x + 20),
        n(y), html::escape(s.label));
  };
  std::string out;
  if (on_top) {
    double x = f.right();
    for (size_t i = series.size(); i-- > 0;) {
      x -= 20 + text_width(series[i].label) + 14;
      out += item(series[i], x, 18);
    }
    return out;
  }
  double longest = 0;
  for (const Series& s : series) longest = std::max(longest, text_width(s.label));
  const double w = 30 + longest, h = 16.0 * static_cast<double>(series.size()) + 6;
  const double x0 = f.right() - w - 6, y0 = f.bottom() - h - 6;
  out = fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fff\" fill-opacity=\"0.85\" "
      "stroke=\"#d1d9e0\" rx=\"4\"/>\n",
      n(x0), n(y0), n(w), n(h));
  for (size_t i = 0; i < series.size(); ++i) {
    out += item(series[i], x0 + 6, y0 + 14 + 16.0 * static_cast<double>(i));
  }
  return out;
}

double pick(double configured, double from_data) {
  return std::isnan(configured) ? from_data : configured;
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int count) {
  if (!(hi > lo) || count < 1) return {lo};
  const double raw = (hi - lo) / count;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  std::vector<double> out;
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    out.push_back(std::abs(v) < step * 1e-9 ? 0 : v);
  }
  return out;
}

const std::string& palette(size_t i) {
  static const std::array<std::string, 8> kColors = {"#0969da", "#e16f24", "#1a7f37", "#8250df",
                                                     "#cf222e", "#bf8700", "#1b7c83", "#6e7781"};
  return kColors[i % kColors.size()];
}

std::string line_chart(const ChartOptions& o, std::span<const Series> series) {
  double xmin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;
  for (const Series& s : series) {
    for (double v : s.x) xmin = std::min(xmin, v), xmax = std::max(xmax, v);
    for (double v : s.y) ymax = std::max(ymax, v);
  }
  const Frame f(o, fit(pick(o.x.min, xmin), pick(o.x.max, xmax), 6),
                fit(pick(o.y.min, 0), pick(o.y.max, ymax), 5));
  std::string out = f.begin();
  for (const Series& s : series) {
    if (s.x.empty()) continue;
    std::string d = fmt::format("M{} {}", n(f.px(s.x[0])), n(f.py(s.y[0])));
    for (size_t i = 1; i < s.x.size() && i < s.y.size(); ++i) {
      d += s.step ? fmt::format("H{}V{}", n(f.px(s.x[i])), n(f.py(s.y[i])))
                  : fmt::format("L{} {}", n(f.px(s.x[i])), n(f.py(s.y[i])));
    }
    out += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}/>\n", d,
                       s.color, s.dashed ? " stroke-dasharray=\"5 3\"" : "");
  }
  out += legend(f, series, o.legend_on_top);
  return out + f.end();
}

std::string histogram(const ChartOptions& o, std::span<const double> edges,
                      std::span<const double> counts, const std::string& color) {
  if (edges.size() < 2 || counts.size() + 1 != edges.size()) return {};
  const double ymax = *std::max_element(counts.begin(), counts.end());
  const Frame f(o, fit(pick(o.x.min, edges.front()), pick(o.x.max, edges.back()), 6),
                fit(0, pick(o.y.max, ymax), 5));
  std::string out = f.begin();
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] <= 0) continue;
    const double x0 = f.px(edges[i]), x1 = f.px(edges[i + 1]), y = f.py(counts[i]);
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n",
                       n(x0 + 0.5), n(y), n(std::max(0.5, x1 - x0 - 1)), n(f.bottom() - y), color);
  }
  return out + f.end();
}

std::string bar_chart(const ChartOptions& options, std::span<const Bar> bars,
                      std::optional<double> limit, const std::string& limit_label,
                      const std::string& color) {
  double longest = 0;
  for (const Bar& b : bars) longest = std::max(longest, b.value);
  ChartOptions o = options;
  const bool limit_on_scale = limit && *limit <= 3 * longest;
  if (limit_on_scale) {
    o.markers.push_back({*limit, limit_label, "#cf222e"});
  } else if (limit) {
    o.note += (o.note.empty() ? "" : "  ") + limit_label + " (far off this scale)";
  }
  const double xmax = std::max(longest * 1.18, limit_on_scale ? *limit * 1.05 : 0.0);
  const Frame f(o, fit(0, pick(o.x.max, xmax), 6), fit(0, 1, 1));
  std::string out = f.begin(false);
  const double slot = (f.bottom() - f.top() - 14) / std::max<double>(1, bars.size());
  for (size_t i = 0; i < bars.size(); ++i) {
    const double y = f.top() + 14 + slot * static_cast<double>(i);
    const double h = std::min(22.0, slot * 0.7), x1 = f.px(bars[i].value);
    out += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>"
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" rx=\"2\"/>"
        "<text x=\"{}\" y=\"{}\">{}</text>\n",
        n(f.left() - 6), n(y + h / 2 + 4), html::escape(bars[i].label), n(f.left()), n(y),
        n(std::max(1.0, x1 - f.left())), n(h), color, n(x1 + 4), n(y + h / 2 + 4),
        html::escape(bars[i].value_text));
  }
  return out + f.end();
}

}  // namespace infermark::report::svg
