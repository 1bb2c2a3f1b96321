#include "traces/schema.hpp"
