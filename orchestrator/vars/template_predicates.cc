#include "orchestrator/vars/template_predicates.h"

#include "orchestrator/vars/template.h"
#include "orchestrator/vars/template_ops.h"

namespace deployctl::template_internal {
namespace {

using Args = std::vector<Value>;

bool Defined(const Value* v, const Args&) {
  return v != nullptr;
}
bool Undefined(const Value* v, const Args&) {
  return v == nullptr;
}
bool NoneTest(const Value* v, const Args&) {
  return v->is_null();
}
bool String(const Value* v, const Args&) {
  return v->is_string();
}
// Python's numbers.Number includes bool, so `true is number` holds in Jinja.
bool Number(const Value* v, const Args&) {
  return IsNumeric(*v);
}
bool Integer(const Value* v, const Args&) {
  return v->is_number_integer();
}
bool Float(const Value* v, const Args&) {
  return v->is_number_float();
}
bool Boolean(const Value* v, const Args&) {
  return v->is_boolean();
}
bool TrueTest(const Value* v, const Args&) {
  return v->is_boolean() && v->get<bool>();
}
bool FalseTest(const Value* v, const Args&) {
  return v->is_boolean() && !v->get<bool>();
}
bool Mapping(const Value* v, const Args&) {
  return v->is_object();
}
// Jinja: anything with len() and [] — strings and dicts too.
bool Sequence(const Value* v, const Args&) {
  return v->is_string() || v->is_array() || v->is_object();
}
bool Iterable(const Value* v, const Args& a) {
  return Sequence(v, a);
}
bool Even(const Value* v, const Args&) {
  return !IsTruthy(Binary(BinaryOp::kMod, *v, 2));
}
bool Odd(const Value* v, const Args&) {
  return IsTruthy(Binary(BinaryOp::kMod, *v, 2));
}
bool DivisibleBy(const Value* v, const Args& a) {
  return !IsTruthy(Binary(BinaryOp::kMod, *v, a[0]));
}

const std::vector<TestSpec>& Registry() {
  static const std::vector<TestSpec> tests = {
      {"boolean", 0, Boolean},         {"defined", 0, Defined, true},
      {"divisibleby", 1, DivisibleBy}, {"even", 0, Even},
      {"false", 0, FalseTest},         {"float", 0, Float},
      {"integer", 0, Integer},         {"iterable", 0, Iterable},
      {"mapping", 0, Mapping},         {"none", 0, NoneTest},
      {"number", 0, Number},           {"odd", 0, Odd},
      {"sequence", 0, Sequence},       {"string", 0, String},
      {"true", 0, TrueTest},           {"undefined", 0, Undefined, true},
  };
  return tests;
}

}  // namespace

std::optional<size_t> FindTest(std::string_view name) {
  const auto& tests = Registry();
  for (size_t i = 0; i < tests.size(); ++i) {
    if (tests[i].name == name) return i;
  }
  return std::nullopt;
}

const TestSpec& TestAt(size_t index) {
  return Registry().at(index);
}

std::vector<std::string> TestNames() {
  std::vector<std::string> names;
  for (const auto& test : Registry()) names.emplace_back(test.name);
  return names;
}

}  // namespace deployctl::template_internal
