// Jinja tests, the `is` operator: `x is defined`, `x is not none`,
// `n is divisibleby(3)`. (Named "predicates" to keep "_test" for unit tests.)
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrator/core/value.h"

namespace deployctl::template_internal {

struct TestSpec {
  std::string_view name;
  size_t arg_count;  // exact number of arguments in parentheses
  // `value` is null when undefined; only tests with accepts_undefined see that.
  bool (*check)(const Value* value, const std::vector<Value>& args);
  bool accepts_undefined = false;
};

std::optional<size_t> FindTest(std::string_view name);
const TestSpec& TestAt(size_t index);
std::vector<std::string> TestNames();

}  // namespace deployctl::template_internal
