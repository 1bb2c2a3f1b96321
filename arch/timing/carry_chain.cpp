#include "arch/timing/carry_chain.hpp"

#include <stdexcept>

namespace saffire::arch {
namespace {

void check_width(int width) {
  if (width < 1 || width > 32) throw std::invalid_argument("carry chain width must be in 1..32");
}

}  // namespace

CarryChain longest_carry_chain_ripple(std::uint32_t a, std::uint32_t b, int width) {
  check_width(width);
  CarryChain best;
  int carry = 0;   // carry into bit k
  int start = -1;  // generate bit of the chain that delivers `carry`
  for (int k = 0; k < width; ++k) {
    const int ak = static_cast<int>((a >> k) & 1u), bk = static_cast<int>((b >> k) & 1u);
    const int g = ak & bk, p = ak ^ bk;
    int carry_out = 0;
    if (g) {
      start = k;  // a new chain starts here (an arriving carry, if any, ends at bit k)
      carry_out = 1;
    } else if (p && carry) {
      carry_out = 1;  // the chain from `start` travels one more bit
    }
    if (carry_out) {
      const int length = k + 1 - start;                   // the carry has reached bit k + 1
      if (length >= best.length) best = {length, k + 1};  // ties: the more significant chain
    }
    carry = carry_out;
  }
  return best;
}

std::uint32_t ripple_sum_dropping_carry(std::uint32_t a, std::uint32_t b, int drop_bit, int width) {
  check_width(width);
  std::uint32_t sum = 0;
  std::uint32_t carry = 0;
  for (int k = 0; k < width; ++k) {
    if (k == drop_bit) carry = 0;
    const std::uint32_t ak = (a >> k) & 1u, bk = (b >> k) & 1u;
    sum |= (ak ^ bk ^ carry) << k;
    carry = (ak & bk) | ((ak ^ bk) & carry);
  }
  return sum;
}

}  // namespace saffire::arch
