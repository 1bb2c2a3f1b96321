#pragma once
// The constructors the factory table names, one per file of impl/.
#include <memory>

#include "sim/memory/memory_config.hpp"
#include "sim/memory/memory_model.hpp"

namespace saffire::memory {

std::unique_ptr<MemoryModel> make_ideal_memory(const MemoryConfig& cfg);
std::unique_ptr<MemoryModel> make_scalesim_memory(const MemoryConfig& cfg);
std::unique_ptr<MemoryModel> make_dram_memory(const MemoryConfig& cfg);

}  // namespace saffire::memory
