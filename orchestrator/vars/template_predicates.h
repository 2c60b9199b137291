// Jinja tests, the `is` operator: `x is defined`, `x is not none`,
// `n is divisibleby(3)`, `ver is version('1.2', '>=')`, as Jinja and
// ansible-core define them. (Named "predicates" to keep "_test" for unit
// tests.)
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orchestrator/core/value.h"

namespace deployctl::template_internal {

struct TestSpec {
  std::string_view name;
  std::vector<std::string_view> params;  // argument names, in order
  size_t required = 0;                   // how many of them must be given
  // `value` is null when undefined; only tests with accepts_undefined see
  // that. `args` has one entry per parameter, null when not given.
  bool (*check)(const Value* value, const std::vector<Value>& args) = nullptr;
  bool accepts_undefined = false;
};

std::optional<size_t> FindTest(std::string_view name);
const TestSpec& TestAt(size_t index);
std::vector<std::string> TestNames();

// "" if the arguments fit the test, else what is wrong ("test 'version'
// takes 1 to 4 argument(s)").
std::string CheckTestArity(const TestSpec& test, size_t positional,
                           const std::vector<std::string>& keywords);

// Binds the arguments and runs the test. Throws TemplateError for bad
// arguments or input.
bool RunTest(const TestSpec& test, const Value* value, std::vector<Value> positional,
             const std::vector<std::pair<std::string, Value>>& keyword);

}  // namespace deployctl::template_internal
