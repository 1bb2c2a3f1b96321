#include "sim/memory/dram/dram_spec.hpp"

#include <string>

#include "arch/config_error.hpp"
#include "arch/toml_file.hpp"
#include "arch/toml_table_reader.hpp"

namespace saffire::memory::dram {
namespace {

bool power_of_two(std::int64_t x) { return x > 0 && (x & (x - 1)) == 0; }

[[noreturn]] void fail(const std::string& key, const std::string& what) { throw ConfigError("dram." + key + ": " + what); }

void require_power_of_two(const std::string& key, std::int64_t v) {
  if (!power_of_two(v))
    fail(key, std::to_string(v) + " is not a power of two (the address mapping slices the address into bit fields)");
}

// `a` (key) must be at least `b` (described as `b_text`), with `why` saying which JEDEC relation it is.
void require_at_least(const char* key, int a, int b, const std::string& b_text, const char* why) {
  if (a < b)
    fail(std::string("timing.") + key,
         std::to_string(a) + " is less than " + b_text + " = " + std::to_string(b) + " (" + why + ")");
}

}  // namespace

const char* to_string(AddressMapping m) { return m == AddressMapping::RoCoRaBaCh ? "RoCoRaBaCh" : "RoBaRaCoCh"; }
const char* to_string(RefreshMode m) { return m == RefreshMode::AllBank ? "all_bank" : "per_bank"; }

std::uint64_t DramSpec::capacity_bytes() const {
  return static_cast<std::uint64_t>(channels) * static_cast<std::uint64_t>(ranks) *
         static_cast<std::uint64_t>(banks_per_rank()) * static_cast<std::uint64_t>(rows) *
         static_cast<std::uint64_t>(columns) * static_cast<std::uint64_t>(bus_width_bits / 8);
}

void DramSpec::validate() const {
  require_power_of_two("channels", channels);
  require_power_of_two("ranks", ranks);
  require_power_of_two("bank_groups", bank_groups);
  require_power_of_two("banks_per_group", banks_per_group);
  require_power_of_two("rows", rows);
  require_power_of_two("columns", columns);
  if (static_cast<std::int64_t>(ranks) * bank_groups * banks_per_group > kMaxBanksPerChannel)
    fail("ranks", "ranks x bank_groups x banks_per_group = " +
                      std::to_string(static_cast<std::int64_t>(ranks) * bank_groups * banks_per_group) +
                      " banks per channel, more than the scheduler's " + std::to_string(kMaxBanksPerChannel));
  require_power_of_two("burst_length", burst_length);
  if (bus_width_bits < 8 || bus_width_bits % 8 != 0)
    fail("bus_width_bits", std::to_string(bus_width_bits) + " is not a positive multiple of 8");
  if (columns % burst_length != 0)
    fail("columns", std::to_string(columns) + " is not a multiple of burst_length " + std::to_string(burst_length) +
                        " (a row holds whole bursts)");
  if (clock_mhz < 1) fail("clock_mhz", "must be positive, got " + std::to_string(clock_mhz));
  if (data_rate_mts < clock_mhz || data_rate_mts % clock_mhz != 0)
    fail("data_rate_mts", std::to_string(data_rate_mts) + " is not a whole multiple of clock_mhz " +
                              std::to_string(clock_mhz) + " (transfers per clock cycle)");
  if (burst_length % transfers_per_clock() != 0)
    fail("burst_length", std::to_string(burst_length) + " is not a whole number of clock cycles at " +
                             std::to_string(transfers_per_clock()) + " transfers per cycle");
  if (queue_depth < 1) fail("queue_depth", "must be at least 1, got " + std::to_string(queue_depth));

  const DramTiming& t = timing;
  const struct {
    const char* key;
    int value;
  } positive[] = {{"tcl", t.tcl},       {"tcwl", t.tcwl},     {"trcd", t.trcd},     {"trp", t.trp},
                  {"tras", t.tras},     {"trc", t.trc},       {"tccd_s", t.tccd_s}, {"tccd_l", t.tccd_l},
                  {"trrd_s", t.trrd_s}, {"trrd_l", t.trrd_l}, {"tfaw", t.tfaw},     {"twr", t.twr},
                  {"twtr_s", t.twtr_s}, {"twtr_l", t.twtr_l}, {"trtp", t.trtp},     {"trfc", t.trfc},
                  {"trefi", t.trefi}};
  for (const auto& p : positive)
    if (p.value < 1) fail(std::string("timing.") + p.key, "must be at least 1 cycle, got " + std::to_string(p.value));
  if (t.trtrs < 0) fail("timing.trtrs", "must not be negative, got " + std::to_string(t.trtrs));

  require_at_least("trc", t.trc, t.tras + t.trp, "tras + trp",
                   "a bank's row cycle holds its active and precharge times");
  require_at_least("tras", t.tras, t.trcd, "trcd", "a row stays open at least until it can be read");
  require_at_least("tccd_s", t.tccd_s, burst_cycles(), "the burst (burst_length / transfers per cycle)",
                   "back-to-back bursts may not overlap on the data bus");
  require_at_least("tccd_l", t.tccd_l, t.tccd_s, "tccd_s", "the same bank group is never faster than another");
  require_at_least("trrd_l", t.trrd_l, t.trrd_s, "trrd_s", "the same bank group is never faster than another");
  require_at_least("twtr_l", t.twtr_l, t.twtr_s, "twtr_s", "the same bank group is never faster than another");
  require_at_least("tfaw", t.tfaw, t.trrd_s, "trrd_s", "the four-activate window spans at least one ACT spacing");
  if (t.trefi <= t.trfc)
    fail("timing.trefi", std::to_string(t.trefi) + " is not greater than trfc = " + std::to_string(t.trfc) +
                             " (the rank would never leave refresh)");
  if (refresh == RefreshMode::PerBank) {
    if (t.trfcpb < 1) fail("timing.trfcpb", "must be at least 1 cycle with refresh = \"per_bank\", got " + std::to_string(t.trfcpb));
    if (t.trefi / banks_per_rank() <= t.trfcpb)
      fail("timing.trfcpb", std::to_string(t.trfcpb) + " is not less than trefi / banks = " +
                                std::to_string(t.trefi / banks_per_rank()) + " (per-bank refreshes would overlap)");
  }
}

DramSpec parse_dram_spec(const std::string& toml_text, const std::string& origin) {
  const toml::table doc = parse_toml(toml_text, origin);
  TomlTableReader root(doc, origin, "");
  TomlTableReader* d = root.table("dram");
  if (d == nullptr) throw ConfigError(origin + ": no [dram] table (a DRAM preset holds one [dram] table)");
  DramSpec s;
  s.origin = origin;
  s.name = d->required<std::string>("name");
  s.channels = d->required<int>("channels");
  s.ranks = d->required<int>("ranks");
  s.bank_groups = d->required<int>("bank_groups");
  s.banks_per_group = d->required<int>("banks_per_group");
  s.rows = d->required<std::int64_t>("rows");
  s.columns = d->required<int>("columns");
  s.bus_width_bits = d->required<int>("bus_width_bits");
  s.burst_length = d->required<int>("burst_length");
  s.clock_mhz = d->required<int>("clock_mhz");
  s.data_rate_mts = d->required<int>("data_rate_mts");
  s.queue_depth = d->get_or<int>("queue_depth", s.queue_depth);
  s.mapping = d->choice_or("address_mapping", s.mapping,
                           {{"RoCoRaBaCh", AddressMapping::RoCoRaBaCh}, {"RoBaRaCoCh", AddressMapping::RoBaRaCoCh}});
  s.refresh = d->choice_or("refresh", s.refresh, {{"all_bank", RefreshMode::AllBank}, {"per_bank", RefreshMode::PerBank}});
  TomlTableReader* t = d->table("timing");
  if (t == nullptr) throw ConfigError(d->where("timing") + ": required table missing (the timings in clock cycles)");
  DramTiming& x = s.timing;
  x.tcl = t->required<int>("tcl");
  x.tcwl = t->required<int>("tcwl");
  x.trcd = t->required<int>("trcd");
  x.trp = t->required<int>("trp");
  x.tras = t->required<int>("tras");
  x.trc = t->required<int>("trc");
  x.tccd_s = t->required<int>("tccd_s");
  x.tccd_l = t->required<int>("tccd_l");
  x.trrd_s = t->required<int>("trrd_s");
  x.trrd_l = t->required<int>("trrd_l");
  x.tfaw = t->required<int>("tfaw");
  x.twr = t->required<int>("twr");
  x.twtr_s = t->required<int>("twtr_s");
  x.twtr_l = t->required<int>("twtr_l");
  x.trtp = t->required<int>("trtp");
  x.trfc = t->required<int>("trfc");
  x.trfcpb = s.refresh == RefreshMode::PerBank ? t->required<int>("trfcpb") : t->get_or<int>("trfcpb", 0);
  x.trefi = t->required<int>("trefi");
  x.trtrs = t->get_or<int>("trtrs", 1);
  root.finish();
  d->validate([&] { s.validate(); });
  return s;
}

DramSpec load_dram_spec(const std::filesystem::path& path) {
  return parse_dram_spec(read_text_file(path, "DRAM preset"), path.string());
}

}  // namespace saffire::memory::dram
