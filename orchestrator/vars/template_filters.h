// Filters: `{{ path | basename }}`, `{{ port | default(5432) }}`. Each is
// Jinja's or Ansible's filter of the same name with the same parameters,
// positional or keyword (`default('x', boolean=true)`).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orchestrator/core/value.h"

namespace deployctl::template_internal {

struct FilterParam {
  std::string_view name;
  Value fallback;  // used when the argument is not given
  bool required = false;
};

// What a filter is called with.
struct FilterInput {
  const Value* value;           // null when the input is undefined
  std::string_view input_name;  // the input as written, for messages
  std::vector<Value> args;      // one per parameter, defaults filled in
  // Variadic filters (map): positional and keyword arguments beyond the
  // declared parameters.
  std::vector<Value> extra;
  std::vector<std::pair<std::string, Value>> extra_keyword;
};

struct FilterSpec {
  std::string_view name;
  std::vector<FilterParam> params;
  // nullopt: the result is undefined (e.g. `first` of an empty list), so
  // that `| default()` after it still works.
  std::optional<Value> (*apply)(const FilterInput&);
  bool accepts_undefined = false;  // default, mandatory
  std::string_view undefined_reason = {};
  bool variadic = false;
};

std::optional<size_t> FindFilter(std::string_view name);
const FilterSpec& FilterAt(size_t index);
std::vector<std::string> FilterNames();

// Binds arguments to the filter's parameters and applies it. Throws
// TemplateError for bad arguments or input.
std::optional<Value> ApplyFilter(const FilterSpec& filter, const Value* input,
                                 std::string_view input_name, std::vector<Value> positional,
                                 std::vector<std::pair<std::string, Value>> keyword);

}  // namespace deployctl::template_internal
