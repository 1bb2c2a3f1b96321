#include "models/llm/scoring_windows.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace saffire::models::llm {

std::vector<ScoringWindow> scoring_windows(std::int64_t tokens, int ctx, int stride) {
  if (ctx < 2) throw std::invalid_argument("ctx must be at least 2 (got " + std::to_string(ctx) + ")");
  if (stride < 1 || stride > ctx) {
    throw std::invalid_argument("stride must be in 1..ctx = " + std::to_string(ctx) + " (got " +
                                std::to_string(stride) + ")");
  }
  if (tokens < 2) {
    throw std::invalid_argument("the text encodes to " + std::to_string(tokens) +
                                " token(s): nothing to predict (at least 2 needed)");
  }
  std::vector<ScoringWindow> out;
  out.reserve(static_cast<std::size_t>((std::max<std::int64_t>(tokens - ctx, 0) + stride - 1) / stride + 1));
  std::int64_t scored_end = 0;  // tokens before it are scored or are t_0
  for (std::int64_t begin = 0;; begin += stride) {
    const std::int64_t end = std::min<std::int64_t>(begin + ctx, tokens);
    out.push_back({begin, end, std::max(scored_end, begin + 1)});
    scored_end = end;
    if (end == tokens) break;
  }
  return out;
}

}  // namespace saffire::models::llm
