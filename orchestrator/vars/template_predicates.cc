#include "orchestrator/vars/template_predicates.h"

#include <algorithm>
#include <cstdint>

#include "orchestrator/vars/template.h"
#include "orchestrator/vars/template_format.h"
#include "orchestrator/vars/template_ops.h"
#include "orchestrator/vars/template_regex.h"
#include "orchestrator/vars/template_strings.h"

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
bool Eq(const Value* v, const Args& a) {
  return Compare(CompareOp::kEq, *v, a[0]);
}
bool Ne(const Value* v, const Args& a) {
  return Compare(CompareOp::kNe, *v, a[0]);
}
bool Lt(const Value* v, const Args& a) {
  return Compare(CompareOp::kLt, *v, a[0]);
}
bool Le(const Value* v, const Args& a) {
  return Compare(CompareOp::kLe, *v, a[0]);
}
bool Gt(const Value* v, const Args& a) {
  return Compare(CompareOp::kGt, *v, a[0]);
}
bool Ge(const Value* v, const Args& a) {
  return Compare(CompareOp::kGe, *v, a[0]);
}
bool In(const Value* v, const Args& a) {
  return Compare(CompareOp::kIn, *v, a[0]);
}
bool Lower(const Value* v, const Args&) {
  std::string text = PyStr(*v);
  return PyLower(text) == text;
}
bool Upper(const Value* v, const Args&) {
  std::string text = PyStr(*v);
  return PyUpper(text) == text;
}
bool Callable(const Value*, const Args&) {
  return false;  // values are data: nothing is callable
}
bool Escaped(const Value*, const Args&) {
  return false;  // no autoescape, no Markup values
}
bool SameAs(const Value* v, const Args& a) {
  // Python identity: only None, True and False are shared objects here.
  return (v->is_null() && a[0].is_null()) ||
         (v->is_boolean() && a[0].is_boolean() && v->get<bool>() == a[0].get<bool>());
}
bool Truthy(const Value* v, const Args&) {
  return IsTruthy(*v);
}
bool Falsy(const Value* v, const Args&) {
  return !IsTruthy(*v);
}

const Value& ListArg(const Value& v, std::string_view test) {
  if (!v.is_array()) {
    throw TemplateError("test '" + std::string(test) + "' needs a list, got " +
                        std::string(PyTypeName(v)));
  }
  return v;
}
bool Subset(const Value* v, const Args& a) {
  const Value& small = ListArg(*v, "subset");
  const Value& big = ListArg(a[0], "subset");
  return std::all_of(small.begin(), small.end(),
                     [&](const Value& x) { return PyContains(big, x); });
}
bool Superset(const Value* v, const Args& a) {
  const Value& big = ListArg(*v, "superset");
  const Value& small = ListArg(a[0], "superset");
  return std::all_of(small.begin(), small.end(),
                     [&](const Value& x) { return PyContains(big, x); });
}
bool Contains(const Value* v, const Args& a) {
  return PyContains(*v, a[0]);
}
bool Any(const Value* v, const Args&) {
  const Value& list = ListArg(*v, "any");
  return std::any_of(list.begin(), list.end(), [](const Value& x) { return IsTruthy(x); });
}
bool All(const Value* v, const Args&) {
  const Value& list = ListArg(*v, "all");
  return std::all_of(list.begin(), list.end(), [](const Value& x) { return IsTruthy(x); });
}

// match / search / regex(pattern, ignorecase=false, multiline=false).
bool RegexTest(const Value* v, const Args& a, bool at_start) {
  if (!v->is_string()) {
    throw TemplateError("regex tests need a string, got " + std::string(PyTypeName(*v)));
  }
  return PyRegexSearch(v->get_ref<const std::string&>(), PyStr(a[0]), IsTruthy(a[1]),
                       IsTruthy(a[2]), at_start)
      .has_value();
}
bool Match(const Value* v, const Args& a) {
  return RegexTest(v, a, true);
}
bool Search(const Value* v, const Args& a) {
  return RegexTest(v, a, false);
}
bool Regex(const Value* v, const Args& a) {
  std::string type = a[3].is_null() ? "search" : PyStr(a[3]);
  if (type != "search" && type != "match") {
    throw TemplateError("test 'regex': match_type must be 'search' or 'match', not '" + type + "'");
  }
  return RegexTest(v, a, type == "match");
}

// --- version: ansible's version test (LooseVersion, StrictVersion, semver) --

[[noreturn]] void VersionFailed(const std::string& why) {
  throw TemplateError("Version comparison failed: " + why);
}

// A version component: a number or a word.
struct Part {
  bool numeric;
  uint64_t number;
  std::string text;
  bool operator==(const Part& o) const {
    return numeric == o.numeric && number == o.number && text == o.text;
  }
};

// Python's list comparison: the first differing pair decides; a number
// and a word do not compare (TypeError in Python).
int CompareParts(const std::vector<Part>& a, const std::vector<Part>& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    if (a[i].numeric != b[i].numeric) {
      VersionFailed(std::string("'<' not supported between instances of '") +
                    (a[i].numeric ? "int" : "str") + "' and '" + (b[i].numeric ? "int" : "str") +
                    "'");
    }
    if (a[i].numeric) return a[i].number < b[i].number ? -1 : 1;
    return a[i].text < b[i].text ? -1 : 1;
  }
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

bool IsDigitChar(char c) {
  return c >= '0' && c <= '9';
}

uint64_t ToNumber(std::string_view digits) {
  uint64_t n = 0;
  for (char c : digits) n = n > UINT64_MAX / 20 ? n : n * 10 + static_cast<uint64_t>(c - '0');
  return n;
}

// LooseVersion: runs of digits (numbers) and of lower-case letters; dots
// separate; anything else stays in the words between.
std::vector<Part> LooseParts(std::string_view s) {
  std::vector<Part> parts;
  std::string pending;  // text between matches, as re.split keeps it
  auto flush = [&] {
    if (!pending.empty()) parts.push_back(Part{false, 0, pending});
    pending.clear();
  };
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    if (IsDigitChar(s[i])) {
      while (i < s.size() && IsDigitChar(s[i])) ++i;
      flush();
      parts.push_back(Part{true, ToNumber(s.substr(start, i - start)), {}});
    } else if (s[i] >= 'a' && s[i] <= 'z') {
      while (i < s.size() && s[i] >= 'a' && s[i] <= 'z') ++i;
      flush();
      parts.push_back(Part{false, 0, std::string(s.substr(start, i - start))});
    } else if (s[i] == '.') {
      flush();
      ++i;
    } else {
      pending += s[i++];
    }
  }
  flush();
  return parts;
}

// StrictVersion: N.N[.N][(a|b)N]; a release sorts after its pre-releases.
std::vector<Part> StrictParts(std::string_view s) {
  auto invalid = [&] { VersionFailed("invalid version number '" + std::string(s) + "'"); };
  std::vector<Part> parts;
  size_t i = 0;
  auto number = [&] {
    size_t start = i;
    while (i < s.size() && IsDigitChar(s[i])) ++i;
    if (i == start) invalid();
    parts.push_back(Part{true, ToNumber(s.substr(start, i - start)), {}});
  };
  number();
  if (i >= s.size() || s[i] != '.') invalid();
  ++i;
  number();
  if (i < s.size() && s[i] == '.') {
    ++i;
    number();
  } else {
    parts.push_back(Part{true, 0, {}});
  }
  if (i < s.size()) {
    if (s[i] != 'a' && s[i] != 'b') invalid();
    // A pre-release sorts before the release: (0, 'a'|'b', n) vs (1).
    parts.push_back(Part{true, 0, {}});
    parts.push_back(Part{false, 0, std::string(1, s[i])});
    ++i;
    number();
    if (i != s.size()) invalid();
  } else {
    parts.push_back(Part{true, 1, {}});
  }
  return parts;
}

// Semantic versioning 2.0: MAJOR.MINOR.PATCH[-pre.release][+build].
int CompareSemver(std::string_view a, std::string_view b) {
  struct Semver {
    uint64_t core[3];
    std::vector<Part> pre;
  };
  auto parse = [](std::string_view s) {
    auto invalid = [&] { VersionFailed("invalid semantic version '" + std::string(s) + "'"); };
    Semver v{};
    size_t plus = s.find('+');
    std::string_view main = s.substr(0, plus);
    size_t dash = main.find('-');
    std::string_view core = main.substr(0, dash);
    for (int k = 0; k < 3; ++k) {
      size_t dot = core.find('.');
      std::string_view num = core.substr(0, k < 2 ? dot : std::string_view::npos);
      if (num.empty() || !std::all_of(num.begin(), num.end(), IsDigitChar) ||
          (num.size() > 1 && num[0] == '0') || (k < 2 && dot == std::string_view::npos)) {
        invalid();
      }
      v.core[k] = ToNumber(num);
      if (k < 2) core.remove_prefix(dot + 1);
    }
    if (dash != std::string_view::npos) {
      std::string_view pre = main.substr(dash + 1);
      if (pre.empty()) invalid();
      for (const auto& id : PySplit(pre, ".", -1)) {
        if (id.empty()) invalid();
        if (std::all_of(id.begin(), id.end(), IsDigitChar)) {
          v.pre.push_back(Part{true, ToNumber(id), {}});
        } else {
          v.pre.push_back(Part{false, 0, id});
        }
      }
    }
    return v;
  };
  Semver x = parse(a), y = parse(b);
  for (int k = 0; k < 3; ++k) {
    if (x.core[k] != y.core[k]) return x.core[k] < y.core[k] ? -1 : 1;
  }
  if (x.pre.empty() || y.pre.empty()) {
    return x.pre.empty() == y.pre.empty() ? 0 : x.pre.empty() ? 1 : -1;
  }
  size_t n = std::min(x.pre.size(), y.pre.size());
  for (size_t i = 0; i < n; ++i) {
    const Part &p = x.pre[i], &q = y.pre[i];
    if (p == q) continue;
    if (p.numeric != q.numeric) return p.numeric ? -1 : 1;  // numbers sort first
    if (p.numeric) return p.number < q.number ? -1 : 1;
    return p.text < q.text ? -1 : 1;
  }
  return x.pre.size() < y.pre.size() ? -1 : x.pre.size() > y.pre.size() ? 1 : 0;
}

bool Version(const Value* v, const Args& a) {
  static constexpr std::pair<std::string_view, std::string_view> kOps[] = {
      {"==", "eq"}, {"=", "eq"},  {"eq", "eq"}, {"<", "lt"},  {"lt", "lt"},
      {"<=", "le"}, {"le", "le"}, {">", "gt"},  {"gt", "gt"}, {">=", "ge"},
      {"ge", "ge"}, {"!=", "ne"}, {"<>", "ne"}, {"ne", "ne"}};
  bool strict = IsTruthy(a[2]);
  std::string type = a[3].is_null() ? "" : PyStr(a[3]);
  if (strict && !type.empty()) {
    throw TemplateError("Cannot specify both 'strict' and 'version_type'");
  }
  if (!IsTruthy(*v)) throw TemplateError("Input version value cannot be empty");
  if (!IsTruthy(a[0])) throw TemplateError("Version parameter to compare against cannot be empty");
  std::string op_name = a[1].is_null() ? "eq" : PyStr(a[1]);
  std::string_view op;
  std::string valid;
  for (const auto& [spelling, canonical] : kOps) {
    if (spelling == op_name) op = canonical;
    valid += (valid.empty() ? "'" : ", '") + std::string(spelling) + "'";
  }
  if (op.empty()) {
    throw TemplateError("Invalid operator type (" + op_name + "). Must be one of " + valid);
  }
  std::string left = PyStr(*v), right = PyStr(a[0]);
  int c = 0;
  if (strict || type == "strict") {
    c = CompareParts(StrictParts(left), StrictParts(right));
  } else if (type.empty() || type == "loose") {
    c = CompareParts(LooseParts(left), LooseParts(right));
  } else if (type == "semver" || type == "semantic") {
    c = CompareSemver(left, right);
  } else if (type == "pep440") {
    throw TemplateError("test 'version': version_type 'pep440' is not supported");
  } else {
    throw TemplateError("Invalid version type (" + type +
                        "). Must be one of 'loose', 'strict', 'semver', 'semantic', 'pep440'");
  }
  if (op == "eq") return c == 0;
  if (op == "ne") return c != 0;
  if (op == "lt") return c < 0;
  if (op == "le") return c <= 0;
  if (op == "gt") return c > 0;
  return c >= 0;
}

const std::vector<std::string_view> kNoArgs = {};
const std::vector<std::string_view> kOther = {"other"};
const std::vector<std::string_view> kPattern = {"pattern", "ignorecase", "multiline"};

const std::vector<TestSpec>& Registry() {
  static const std::vector<TestSpec> tests = {
      {"all", kNoArgs, 0, All},
      {"any", kNoArgs, 0, Any},
      {"boolean", kNoArgs, 0, Boolean},
      {"callable", kNoArgs, 0, Callable},
      {"contains", {"seq"}, 1, Contains},
      {"defined", kNoArgs, 0, Defined, true},
      {"divisibleby", {"num"}, 1, DivisibleBy},
      {"eq", kOther, 1, Eq},
      {"equalto", kOther, 1, Eq},
      {"==", kOther, 1, Eq},
      {"escaped", kNoArgs, 0, Escaped},
      {"even", kNoArgs, 0, Even},
      {"false", kNoArgs, 0, FalseTest},
      {"falsy", {"convert_bool"}, 0, Falsy},
      {"float", kNoArgs, 0, Float},
      {"ge", kOther, 1, Ge},
      {"gt", kOther, 1, Gt},
      {"greaterthan", kOther, 1, Gt},
      {"in", {"seq"}, 1, In},
      {"integer", kNoArgs, 0, Integer},
      {"issubset", {"b"}, 1, Subset},
      {"issuperset", {"b"}, 1, Superset},
      {"iterable", kNoArgs, 0, Iterable},
      {"le", kOther, 1, Le},
      {"lessthan", kOther, 1, Lt},
      {"lower", kNoArgs, 0, Lower},
      {"lt", kOther, 1, Lt},
      {"mapping", kNoArgs, 0, Mapping},
      {"match", kPattern, 1, Match},
      {"ne", kOther, 1, Ne},
      {"none", kNoArgs, 0, NoneTest},
      {"number", kNoArgs, 0, Number},
      {"odd", kNoArgs, 0, Odd},
      {"regex", {"pattern", "ignorecase", "multiline", "match_type"}, 1, Regex},
      {"sameas", kOther, 1, SameAs},
      {"search", kPattern, 1, Search},
      {"sequence", kNoArgs, 0, Sequence},
      {"string", kNoArgs, 0, String},
      {"subset", {"b"}, 1, Subset},
      {"superset", {"b"}, 1, Superset},
      {"true", kNoArgs, 0, TrueTest},
      {"truthy", {"convert_bool"}, 0, Truthy},
      {"undefined", kNoArgs, 0, Undefined, true},
      {"upper", kNoArgs, 0, Upper},
      {"version", {"version", "operator", "strict", "version_type"}, 1, Version},
      {"version_compare", {"version", "operator", "strict", "version_type"}, 1, Version},
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

std::string CheckTestArity(const TestSpec& test, size_t positional,
                           const std::vector<std::string>& keywords) {
  std::string prefix = "test '" + std::string(test.name) + "' ";
  for (const auto& name : keywords) {
    auto it = std::find(test.params.begin(), test.params.end(), name);
    if (it == test.params.end())
      return prefix + "got an unexpected keyword argument '" + name + "'";
    if (static_cast<size_t>(it - test.params.begin()) < positional) {
      return prefix + "got multiple values for argument '" + name + "'";
    }
  }
  size_t given = positional + keywords.size();
  if (positional > test.params.size() || given < test.required) {
    std::string count =
        test.required == test.params.size()
            ? std::to_string(test.required)
            : std::to_string(test.required) + " to " + std::to_string(test.params.size());
    return prefix + "takes " + count + " argument(s), " + std::to_string(given) + " given";
  }
  return "";
}

bool RunTest(const TestSpec& test, const Value* value, std::vector<Value> positional,
             const std::vector<std::pair<std::string, Value>>& keyword) {
  std::vector<std::string> names;
  for (const auto& [name, unused] : keyword) names.push_back(name);
  std::string problem = CheckTestArity(test, positional.size(), names);
  if (!problem.empty()) throw TemplateError(problem);
  positional.resize(test.params.size());
  for (const auto& [name, v] : keyword) {
    auto it = std::find(test.params.begin(), test.params.end(), name);
    positional[static_cast<size_t>(it - test.params.begin())] = v;
  }
  if (value == nullptr && !test.accepts_undefined) {
    throw UndefinedVariableError("test '" + std::string(test.name) + "' on an undefined value");
  }
  return test.check(value, positional);
}

}  // namespace deployctl::template_internal
