#include "orchestrator/modules/module_args.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "orchestrator/core/strings.h"

namespace deployctl {
ModuleResult Failure(std::string msg) {
  ModuleResult result;
  result.failed = true;
  result.msg = std::move(msg);
  return result;
}

std::string Describe(const Value& value) {
  if (value.is_string()) return "'" + value.get<std::string>() + "'";
  if (value.is_array()) return "a list";
  if (value.is_object()) return "a mapping";
  return value.dump();
}

bool ModuleArgs::Has(std::string_view name) const {
  auto it = args_.find(name);
  return it != args_.end() && !it->is_null();
}

const Value& ModuleArgs::Get(std::string_view name) const {
  static const Value kNull;
  auto it = args_.find(name);
  return it == args_.end() ? kNull : *it;
}

std::optional<std::string> ModuleArgs::String(std::string_view name) const {
  if (!Has(name)) return std::nullopt;
  const Value& v = Get(name);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  FailType(name, "a string");
}

std::string ModuleArgs::RequiredString(std::string_view name) const {
  auto value = String(name);
  if (!value) Fail("argument '" + std::string(name) + "' is required");
  return *value;
}

std::string ModuleArgs::RequiredAlias(std::initializer_list<std::string_view> names) const {
  std::optional<std::string> found;
  std::string found_name;
  for (std::string_view name : names) {
    auto value = String(name);
    if (!value) continue;
    if (found) {
      Fail("arguments '" + found_name + "' and '" + std::string(name) +
           "' are aliases; give only one");
    }
    found = std::move(value);
    found_name = name;
  }
  if (!found) Fail("argument '" + std::string(*names.begin()) + "' is required");
  return *found;
}

bool ModuleArgs::Bool(std::string_view name, bool fallback) const {
  if (!Has(name)) return fallback;
  const Value& v = Get(name);
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer() && (v == 0 || v == 1)) return v == 1;
  if (v.is_string()) {
    if (auto parsed = ParseBool(v.get_ref<const std::string&>())) return *parsed;
  }
  FailType(name, "a boolean (true or false)");
}

long long ModuleArgs::Int(std::string_view name, long long fallback) const {
  if (!Has(name)) return fallback;
  const Value& v = Get(name);
  if (v.is_number_integer()) return v.get<long long>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    long long parsed = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return parsed;
  }
  FailType(name, "an integer");
}

std::optional<std::vector<std::string>> ModuleArgs::StringList(std::string_view name) const {
  if (!Has(name)) return std::nullopt;
  const Value& v = Get(name);
  if (!v.is_array()) FailType(name, "a list of strings");
  std::vector<std::string> items;
  for (const Value& item : v) {
    if (item.is_string()) {
      items.push_back(item.get<std::string>());
    } else if (item.is_number()) {
      items.push_back(item.dump());
    } else {
      FailType(name, "a list of strings");
    }
  }
  return items;
}

std::string ModuleArgs::Choice(std::string_view name,
                               std::initializer_list<std::string_view> choices,
                               std::string_view fallback) const {
  if (!Has(name)) return std::string(fallback);
  const Value& v = Get(name);
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (std::find(choices.begin(), choices.end(), s) != choices.end()) return s;
  }
  std::string list;
  for (std::string_view choice : choices) list += (list.empty() ? "" : ", ") + std::string(choice);
  FailType(name, "one of " + list);
}

void ModuleArgs::Fail(const std::string& message) const {
  throw ModuleError(module_ + ": " + message);
}

void ModuleArgs::FailType(std::string_view name, std::string_view what) const {
  Fail("argument '" + std::string(name) + "' must be " + std::string(what) + ", got " +
       Describe(Get(name)));
}

}  // namespace deployctl
