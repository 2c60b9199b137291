#include "orchestrator/vars/template_filters.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "orchestrator/vars/template.h"
#include "orchestrator/vars/template_format.h"
#include "orchestrator/vars/template_ops.h"
#include "orchestrator/vars/template_predicates.h"
#include "orchestrator/vars/template_regex.h"
#include "orchestrator/vars/template_strings.h"

namespace deployctl::template_internal {
namespace {

using Result = std::optional<Value>;

std::string TypeOf(const Value& v) {
  return std::string(PyTypeName(v));
}

// Python iteration: list items, dict keys, string characters.
std::vector<Value> Iterate(const Value& v) {
  std::vector<Value> items;
  if (v.is_array()) {
    items.assign(v.begin(), v.end());
  } else if (v.is_object()) {
    for (const auto& [key, unused] : v.items()) items.emplace_back(key);
  } else if (v.is_string()) {
    for (std::string_view cp : SplitCodePoints(v.get_ref<const std::string&>())) {
      items.emplace_back(std::string(cp));
    }
  } else {
    throw TemplateError("'" + TypeOf(v) + "' object is not iterable");
  }
  return items;
}

Value ToList(std::vector<Value> items) {
  Value out = Value::array();
  for (auto& item : items) out.push_back(std::move(item));
  return out;
}

// `attribute='a.b'` or `attribute=0` as Jinja's sort/unique/join take it.
Value Attribute(const Value& item, const Value& attribute) {
  if (attribute.is_null()) return item;
  std::string path = PyStr(attribute);
  const Value* current = &item;
  for (const auto& part : PySplit(path, ".", -1)) {
    if (current->is_object() && current->contains(part)) {
      current = &(*current)[part];
      continue;
    }
    auto index = ParsePyInt(part, 10);
    if (current->is_array() && index && *index >= 0 &&
        static_cast<size_t>(*index) < current->size()) {
      current = &(*current)[static_cast<size_t>(*index)];
      continue;
    }
    throw TemplateError("'" + TypeOf(*current) + " object' has no attribute '" + part + "'");
  }
  return *current;
}

// Sort/min/max key: case-insensitive strings unless asked otherwise.
Value SortKey(const Value& item, const Value& attribute, bool case_sensitive) {
  Value key = Attribute(item, attribute);
  if (!case_sensitive && key.is_string()) return PyLower(key.get_ref<const std::string&>());
  return key;
}

std::string Text(const FilterInput& in) {
  return PyStr(*in.value);
}

// --- defaults and checks -------------------------------------------------

Result Default(const FilterInput& in) {
  if (in.value == nullptr || (IsTruthy(in.args[1]) && !IsTruthy(*in.value))) return in.args[0];
  return *in.value;
}

Result Mandatory(const FilterInput& in) {
  if (in.value != nullptr) return *in.value;
  if (!in.args[0].is_null()) throw TemplateError(PyStr(in.args[0]));
  throw TemplateError("Mandatory variable '" + std::string(in.input_name) + "' not defined.");
}

Result Ternary(const FilterInput& in) {
  if (in.value->is_null() && !in.args[2].is_null()) return in.args[2];
  return IsTruthy(*in.value) ? in.args[0] : in.args[1];
}

// --- strings -------------------------------------------------------------

Result Quote(const FilterInput& in) {
  return ShellQuote(in.value->is_null() ? std::string() : Text(in));
}

// os.path refuses anything but a string, and so do we: `{{ 5 | basename }}`
// is a mistake, not a path.
const std::string& PathText(const FilterInput& in) {
  if (!in.value->is_string()) {
    throw TemplateError("expected str, bytes or os.PathLike object, not " + TypeOf(*in.value));
  }
  return in.value->get_ref<const std::string&>();
}

Result Basename(const FilterInput& in) {
  const std::string& path = PathText(in);
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// os.path.dirname: trailing slashes of the head go, unless it is all slashes.
Result Dirname(const FilterInput& in) {
  const std::string& path = PathText(in);
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return std::string();
  std::string head = path.substr(0, slash + 1);
  if (head.find_first_not_of('/') != std::string::npos) {
    while (!head.empty() && head.back() == '/') head.pop_back();
  }
  return head;
}

Result Lower(const FilterInput& in) {
  return PyLower(Text(in));
}
Result Upper(const FilterInput& in) {
  return PyUpper(Text(in));
}
Result Capitalize(const FilterInput& in) {
  return PyCapitalize(Text(in));
}
Result Title(const FilterInput& in) {
  return JinjaTitle(Text(in));
}
Result ToString(const FilterInput& in) {
  return Text(in);
}

Result Trim(const FilterInput& in) {
  std::string text = Text(in);
  if (in.args[0].is_null()) return std::string(PyStrip(text, std::nullopt, true, true));
  std::string chars = PyStr(in.args[0]);
  return std::string(PyStrip(text, chars, true, true));
}

Result Replace(const FilterInput& in) {
  int64_t count = in.args[2].is_null() ? -1 : AsInt(in.args[2]);
  return PyReplace(Text(in), PyStr(in.args[0]), PyStr(in.args[1]), count);
}

Result RegexReplace(const FilterInput& in) {
  return PyRegexReplace(Text(in), PyStr(in.args[0]), PyStr(in.args[1]), IsTruthy(in.args[2]),
                        IsTruthy(in.args[3]), IsNumeric(in.args[4]) ? AsInt(in.args[4]) : 0);
}

Result Split(const FilterInput& in) {
  std::optional<std::string> sep;
  if (!in.args[0].is_null()) {
    sep = PyStr(in.args[0]);
    if (sep->empty()) throw TemplateError("empty separator");
  }
  Value out = Value::array();
  for (auto& part : PySplit(Text(in), sep, IsNumeric(in.args[1]) ? AsInt(in.args[1]) : -1)) {
    out.push_back(std::move(part));
  }
  return out;
}

Result Join(const FilterInput& in) {
  std::string sep = PyStr(in.args[0]);
  std::string out;
  bool first = true;
  for (const auto& item : Iterate(*in.value)) {
    if (!first) out += sep;
    first = false;
    AppendPyStr(out, Attribute(item, in.args[1]));
  }
  return out;
}

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

Result B64Encode(const FilterInput& in) {
  std::string data = Text(in);
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8) |
                 static_cast<uint8_t>(data[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kBase64[(n >> shift) & 63];
  }
  if (i < data.size()) {
    uint32_t n = static_cast<uint8_t>(data[i]) << 16;
    if (i + 1 < data.size()) n |= static_cast<uint8_t>(data[i + 1]) << 8;
    out += kBase64[(n >> 18) & 63];
    out += kBase64[(n >> 12) & 63];
    out += i + 1 < data.size() ? kBase64[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result B64Decode(const FilterInput& in) {
  std::string data = Text(in);
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : data) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    const char* hit = std::char_traits<char>::find(kBase64, 64, c);
    if (hit == nullptr) throw TemplateError("b64decode: invalid base64 input");
    buffer = (buffer << 6) | static_cast<uint32_t>(hit - kBase64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

// --- numbers and booleans --------------------------------------------------

// Jinja's int: int(text, base), else int(float(text)) so "42.23" gives 42,
// else the default.
Result Int(const FilterInput& in) {
  const Value& v = *in.value;
  auto truncate = [&](double d) -> Value {
    if (std::isfinite(d) && std::fabs(d) < 9.2e18) return static_cast<int64_t>(d);
    return in.args[0];
  };
  if (v.is_string()) {
    int base = static_cast<int>(IsNumeric(in.args[1]) ? AsInt(in.args[1]) : 10);
    if (auto parsed = ParsePyInt(v.get_ref<const std::string&>(), base)) return *parsed;
    if (auto parsed = ParsePyFloat(v.get_ref<const std::string&>())) return truncate(*parsed);
    return in.args[0];
  }
  if (IsIntegral(v)) return AsInt(v);
  if (v.is_number_float()) return truncate(v.get<double>());
  return in.args[0];
}

Result Float(const FilterInput& in) {
  const Value& v = *in.value;
  if (v.is_string()) {
    if (auto parsed = ParsePyFloat(v.get_ref<const std::string&>())) return *parsed;
    return in.args[0];
  }
  if (IsNumeric(v)) return AsDouble(v);
  return in.args[0];
}

// Ansible's bool: 'yes', 'on', '1', 'true' (any case) and 1 are true.
Result Bool(const FilterInput& in) {
  const Value& v = *in.value;
  if (v.is_null() || v.is_boolean()) return v;
  if (v.is_string()) {
    std::string s = PyLower(v.get_ref<const std::string&>());
    return s == "yes" || s == "on" || s == "1" || s == "true";
  }
  return IsNumeric(v) && AsDouble(v) == 1.0;
}

Result Abs(const FilterInput& in) {
  const Value& v = *in.value;
  if (!IsNumeric(v)) throw TemplateError("bad operand type for abs(): '" + TypeOf(v) + "'");
  if (IsIntegral(v)) {
    int64_t n = AsInt(v);
    if (n != std::numeric_limits<int64_t>::min()) return n < 0 ? -n : n;
  }
  return std::fabs(AsDouble(v));
}

// Jinja's round: Python's round() for 'common' (half to even, an int stays
// an int), else math.ceil/floor at the precision, as a float.
Result Round(const FilterInput& in) {
  const Value& v = *in.value;
  if (!IsNumeric(v)) throw TemplateError("type " + TypeOf(v) + " doesn't define __round__ method");
  if (!IsIntegral(in.args[0])) {
    throw TemplateError("'" + TypeOf(in.args[0]) + "' object cannot be interpreted as an integer");
  }
  int64_t precision = AsInt(in.args[0]);
  std::string method = PyStr(in.args[1]);
  double x = AsDouble(v);
  if (method == "ceil" || method == "floor") {
    double scale = std::pow(10.0, static_cast<double>(precision));
    return (method == "ceil" ? std::ceil(x * scale) : std::floor(x * scale)) / scale;
  }
  if (method != "common") throw TemplateError("method must be common, ceil or floor");
  if (precision < 0) {
    // nearbyint rounds half to even in the default rounding mode.
    double scale = std::pow(10.0, static_cast<double>(-precision));
    double rounded = std::nearbyint(x / scale) * scale;
    if (IsIntegral(v)) return static_cast<int64_t>(rounded);
    return rounded;
  }
  if (IsIntegral(v)) return AsInt(v);
  if (!std::isfinite(x) || precision > 300) return x;
  // printf rounds the exact binary value, half to even: what Python does.
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(precision), x);
  return std::strtod(buf, nullptr);
}

// --- sequences -------------------------------------------------------------

Result Length(const FilterInput& in) {
  const Value& v = *in.value;
  if (v.is_string()) return static_cast<int64_t>(CodePointCount(v.get_ref<const std::string&>()));
  if (v.is_array() || v.is_object()) return static_cast<int64_t>(v.size());
  throw TemplateError("object of type '" + TypeOf(v) + "' has no len()");
}

Result First(const FilterInput& in) {
  auto items = Iterate(*in.value);
  if (items.empty()) return std::nullopt;
  return std::move(items.front());
}

Result Last(const FilterInput& in) {
  auto items = Iterate(*in.value);
  if (items.empty()) return std::nullopt;
  return std::move(items.back());
}

Result List(const FilterInput& in) {
  return ToList(Iterate(*in.value));
}

Result Reverse(const FilterInput& in) {
  auto items = Iterate(*in.value);
  std::reverse(items.begin(), items.end());
  if (!in.value->is_string()) return ToList(std::move(items));
  std::string out;
  for (const auto& cp : items) out += cp.get_ref<const std::string&>();
  return out;
}

Result Sort(const FilterInput& in) {
  auto items = Iterate(*in.value);
  bool reverse = IsTruthy(in.args[0]);
  bool case_sensitive = IsTruthy(in.args[1]);
  std::vector<std::pair<Value, size_t>> keyed;
  for (size_t i = 0; i < items.size(); ++i) {
    keyed.emplace_back(SortKey(items[i], in.args[2], case_sensitive), i);
  }
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    int c = PyCompare(a.first, b.first, CompareOp::kLt);
    return reverse ? c > 0 : c < 0;
  });
  Value out = Value::array();
  for (const auto& [unused, index] : keyed) out.push_back(std::move(items[index]));
  return out;
}

// ansible-core 2.14's unique is Jinja's do_unique with
// case_sensitive=bool(case_sensitive): case-insensitive unless asked,
// first occurrence kept.
Result Unique(const FilterInput& in) {
  bool case_sensitive = IsTruthy(in.args[0]);
  Value out = Value::array();
  std::vector<Value> seen;
  for (auto& item : Iterate(*in.value)) {
    Value key = SortKey(item, in.args[1], case_sensitive);
    bool duplicate =
        std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return PyEquals(s, key); });
    if (duplicate) continue;
    seen.push_back(std::move(key));
    out.push_back(std::move(item));
  }
  return out;
}

Result Extreme(const FilterInput& in, bool want_max) {
  auto items = Iterate(*in.value);
  if (items.empty()) return std::nullopt;
  bool case_sensitive = IsTruthy(in.args[0]);
  size_t best = 0;
  Value best_key = SortKey(items[0], in.args[1], case_sensitive);
  for (size_t i = 1; i < items.size(); ++i) {
    Value key = SortKey(items[i], in.args[1], case_sensitive);
    int c = PyCompare(key, best_key, CompareOp::kLt);
    if (want_max ? c > 0 : c < 0) {
      best = i;
      best_key = std::move(key);
    }
  }
  return std::move(items[best]);
}

// map(attribute='x', default=d) or map('filter', args...).
Result Map(const FilterInput& in) {
  Value out = Value::array();
  if (in.args[0].is_null()) {
    const Value* attribute = nullptr;
    const Value* fallback = nullptr;
    for (const auto& [name, value] : in.extra_keyword) {
      if (name == "attribute") {
        attribute = &value;
      } else if (name == "default") {
        fallback = &value;
      } else {
        throw TemplateError("filter 'map' got an unexpected keyword argument '" + name + "'");
      }
    }
    if (attribute == nullptr) throw TemplateError("map needs a filter name or attribute=");
    for (const auto& item : Iterate(*in.value)) {
      if (fallback == nullptr) {
        out.push_back(Attribute(item, *attribute));
      } else {
        try {
          out.push_back(Attribute(item, *attribute));
        } catch (const TemplateError&) {
          out.push_back(*fallback);
        }
      }
    }
    return out;
  }
  std::string name = PyStr(in.args[0]);
  auto index = FindFilter(name);
  if (!index) throw TemplateError("unknown filter '" + name + "'");
  const FilterSpec& filter = FilterAt(*index);
  for (const auto& item : Iterate(*in.value)) {
    auto result = ApplyFilter(filter, &item, in.input_name, in.extra, in.extra_keyword);
    if (!result) throw TemplateError(std::string(filter.undefined_reason));
    out.push_back(std::move(*result));
  }
  return out;
}

Result Min(const FilterInput& in) {
  return Extreme(in, false);
}
Result Max(const FilterInput& in) {
  return Extreme(in, true);
}

// --- dicts -----------------------------------------------------------------

Result Dict2Items(const FilterInput& in) {
  if (!in.value->is_object()) {
    throw TemplateError("dict2items requires a dictionary, got " + TypeOf(*in.value) + " instead.");
  }
  std::string key_name = PyStr(in.args[0]), value_name = PyStr(in.args[1]);
  Value out = Value::array();
  for (const auto& [key, item] : in.value->items()) {
    out.push_back(Value{{key_name, key}, {value_name, item}});
  }
  return out;
}

Result Items2Dict(const FilterInput& in) {
  if (!in.value->is_array()) {
    throw TemplateError("items2dict requires a list, got " + TypeOf(*in.value) + " instead.");
  }
  std::string key_name = PyStr(in.args[0]), value_name = PyStr(in.args[1]);
  Value out = Value::object();
  for (const auto& item : *in.value) {
    if (!item.is_object() || !item.contains(key_name) || !item.contains(value_name)) {
      throw TemplateError("items2dict requires each item to have '" + key_name + "' and '" +
                          value_name + "' keys, got " + PyRepr(item));
    }
    out[PyStr(item[key_name])] = item[value_name];
  }
  return out;
}

// Ansible's merge_hash: `high` wins; nested dicts merge when recursive;
// lists follow list_merge (replace, keep, append, prepend, append_rp,
// prepend_rp).
void Merge(Value& into, const Value& high, bool recursive, const std::string& list_merge) {
  for (const auto& [key, item] : high.items()) {
    auto it = into.find(key);
    if (it == into.end()) {
      into[key] = item;
    } else if (it->is_object() && item.is_object()) {
      if (recursive) {
        Merge(*it, item, true, list_merge);
      } else {
        *it = item;
      }
    } else if (it->is_array() && item.is_array()) {
      Value merged = Value::array();
      auto absent_from_high = [&](const Value& x) { return !PyContains(item, x); };
      if (list_merge == "replace") {
        merged = item;
      } else if (list_merge == "keep") {
        merged = *it;
      } else if (list_merge == "append" || list_merge == "append_rp") {
        for (const auto& x : *it) {
          if (list_merge == "append" || absent_from_high(x)) merged.push_back(x);
        }
        for (const auto& x : item) merged.push_back(x);
      } else {  // prepend, prepend_rp
        merged = item;
        for (const auto& x : *it) {
          if (list_merge == "prepend" || absent_from_high(x)) merged.push_back(x);
        }
      }
      *it = std::move(merged);
    } else {
      *it = item;
    }
  }
}

// combine(*dicts, recursive=false, list_merge='replace'): the input and the
// arguments, lists of dicts flattened one level, later ones win.
Result Combine(const FilterInput& in) {
  bool recursive = false;
  std::string list_merge = "replace";
  for (const auto& [name, value] : in.extra_keyword) {
    if (name == "recursive") {
      recursive = IsTruthy(value);
    } else if (name == "list_merge") {
      list_merge = PyStr(value);
    } else {
      throw TemplateError("'recursive' and 'list_merge' are the only valid keyword arguments");
    }
  }
  static constexpr std::string_view kListMerge[] = {"replace", "keep",      "append",
                                                    "prepend", "append_rp", "prepend_rp"};
  if (std::find(std::begin(kListMerge), std::end(kListMerge), list_merge) == std::end(kListMerge)) {
    throw TemplateError(
        "combine: list_merge must be one of replace, keep, append, prepend, "
        "append_rp, prepend_rp; got '" +
        list_merge + "'");
  }
  std::vector<const Value*> dicts;
  auto add = [&](const Value& v) {
    if (v.is_array()) {
      for (const auto& item : v) dicts.push_back(&item);
    } else {
      dicts.push_back(&v);
    }
  };
  add(*in.value);
  for (const auto& other : in.extra) add(other);
  if (dicts.empty()) return Value::object();
  for (const Value* d : dicts) {
    if (!d->is_object()) {
      throw TemplateError("failed to combine variables, expected dicts but got a '" + TypeOf(*d) +
                          "'");
    }
  }
  Value out = *dicts[0];
  for (size_t i = 1; i < dicts.size(); ++i) Merge(out, *dicts[i], recursive, list_merge);
  return out;
}

// --- tests as filters: select, reject, selectattr, rejectattr -----------------

// `item.attr` (dotted paths and list indexes allowed), or null if missing.
const Value* AttributeOrNull(const Value& item, const std::string& path) {
  const Value* current = &item;
  for (const auto& part : PySplit(path, ".", -1)) {
    if (current->is_object() && current->contains(part)) {
      current = &(*current)[part];
      continue;
    }
    auto index = ParsePyInt(part, 10);
    if (current->is_array() && index && *index >= 0 &&
        static_cast<size_t>(*index) < current->size()) {
      current = &(*current)[static_cast<size_t>(*index)];
      continue;
    }
    return nullptr;
  }
  return current;
}

const TestSpec& NamedTest(const Value& name) {
  auto index = FindTest(PyStr(name));
  if (!index) throw TemplateError("no test named '" + PyStr(name) + "'");
  return TestAt(*index);
}

Result SelectOrReject(const FilterInput& in, bool select, bool by_attribute) {
  const Value& test_name = by_attribute ? in.args[1] : in.args[0];
  const TestSpec* test = test_name.is_null() ? nullptr : &NamedTest(test_name);
  std::string attribute = by_attribute ? PyStr(in.args[0]) : "";
  Value out = Value::array();
  for (auto& item : Iterate(*in.value)) {
    const Value* subject = by_attribute ? AttributeOrNull(item, attribute) : &item;
    bool passed = false;
    if (test == nullptr) {
      if (subject == nullptr) {
        throw UndefinedVariableError("'" + TypeOf(item) + " object' has no attribute '" +
                                     attribute + "'");
      }
      passed = IsTruthy(*subject);
    } else {
      passed = RunTest(*test, subject, in.extra, in.extra_keyword);
    }
    if (passed == select) out.push_back(std::move(item));
  }
  return out;
}

Result Select(const FilterInput& in) {
  return SelectOrReject(in, true, false);
}
Result Reject(const FilterInput& in) {
  return SelectOrReject(in, false, false);
}
Result SelectAttr(const FilterInput& in) {
  return SelectOrReject(in, true, true);
}
Result RejectAttr(const FilterInput& in) {
  return SelectOrReject(in, false, true);
}

// --- more strings ----------------------------------------------------------

// Jinja's format: `'%s-%s' | format(a, b)` is `'%s-%s' % (a, b)`.
Result Format(const FilterInput& in) {
  if (!in.extra.empty() && !in.extra_keyword.empty()) {
    throw TemplateError("can't handle positional and keyword arguments at the same time");
  }
  if (!in.extra_keyword.empty()) {
    Value mapping = Value::object();
    for (const auto& [name, value] : in.extra_keyword) mapping[name] = value;
    return PyPercentFormat(Text(in), mapping, false);
  }
  return PyPercentFormat(Text(in), ToList(in.extra), true);
}

std::string TakeCodePoints(const std::vector<std::string_view>& cps, size_t n) {
  std::string out;
  for (size_t i = 0; i < n && i < cps.size(); ++i) out += cps[i];
  return out;
}

// Jinja's truncate(length=255, killwords=false, end='...', leeway=5).
Result Truncate(const FilterInput& in) {
  std::string text = Text(in);
  if (!IsIntegral(in.args[0])) throw TemplateError("length must be an integer");
  int64_t length = AsInt(in.args[0]);
  std::string end = PyStr(in.args[2]);
  int64_t leeway = in.args[3].is_null() ? 5 : AsInt(in.args[3]);
  auto cps = SplitCodePoints(text);
  int64_t end_length = static_cast<int64_t>(CodePointCount(end));
  if (length < end_length) {
    throw TemplateError("expected length >= " + std::to_string(end_length) + ", got " +
                        std::to_string(length));
  }
  if (leeway < 0) throw TemplateError("expected leeway >= 0, got " + std::to_string(leeway));
  if (static_cast<int64_t>(cps.size()) <= length + leeway) return text;
  std::string head = TakeCodePoints(cps, static_cast<size_t>(length - end_length));
  if (IsTruthy(in.args[1])) return head + end;
  size_t space = head.rfind(' ');
  if (space != std::string::npos) head.resize(space);
  return head + end;
}

// str.splitlines, for indent.
std::vector<std::string> SplitLines(std::string_view s) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\n' && c != '\r' && c != '\v' && c != '\f' && c != '\x1c' && c != '\x1d' &&
        c != '\x1e') {
      continue;
    }
    lines.emplace_back(s.substr(start, i - start));
    if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < s.size()) lines.emplace_back(s.substr(start));
  return lines;
}

// Jinja's indent(width=4, first=false, blank=false).
Result Indent(const FilterInput& in) {
  std::string indention = in.args[0].is_string()
                              ? in.args[0].get<std::string>()
                              : std::string(static_cast<size_t>(std::max<int64_t>(
                                                0, IsNumeric(in.args[0]) ? AsInt(in.args[0]) : 4)),
                                            ' ');
  auto lines = SplitLines(Text(in) + "\n");
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) {
      out += '\n';
      if (IsTruthy(in.args[2]) || !lines[i].empty()) out += indention;
    }
    out += lines[i];
  }
  if (IsTruthy(in.args[1])) out = indention + out;
  return out;
}

// --- regular expressions ----------------------------------------------------

Value GroupValue(const RegexMatch& match, size_t group) {
  if (group >= match.groups.size())
    throw TemplateError("invalid group reference " + std::to_string(group));
  return match.groups[group] ? Value(*match.groups[group]) : Value(nullptr);
}

// Ansible's regex_search(regex, '\\1', '\\g<name>', ignorecase=, multiline=).
Result RegexSearch(const FilterInput& in) {
  bool ignorecase = false, multiline = false;
  for (const auto& [name, value] : in.extra_keyword) {
    if (name == "ignorecase") ignorecase = IsTruthy(value);
    if (name == "multiline") multiline = IsTruthy(value);
  }
  auto match = PyRegexSearch(Text(in), PyStr(in.args[0]), ignorecase, multiline);
  for (const auto& arg : in.extra) {
    std::string a = PyStr(arg);
    if (!a.starts_with("\\")) throw TemplateError("Unknown argument");
  }
  if (!match) return Value(nullptr);
  if (in.extra.empty()) return GroupValue(*match, 0);
  Value out = Value::array();
  for (const auto& arg : in.extra) {
    std::string a = PyStr(arg);
    if (a.starts_with("\\g<") && a.ends_with(">")) {
      std::string name = a.substr(3, a.size() - 4);
      auto named = std::find_if(match->names.begin(), match->names.end(),
                                [&](const auto& n) { return n.first == name; });
      if (named == match->names.end()) throw TemplateError("no such group '" + name + "'");
      out.push_back(GroupValue(*match, named->second));
    } else {
      auto number = ParsePyInt(a.substr(1), 10);
      if (!number || *number < 0) throw TemplateError("Unknown argument");
      out.push_back(GroupValue(*match, static_cast<size_t>(*number)));
    }
  }
  return out;
}

// re.findall: whole matches, the group with one group, tuples with several.
Result RegexFindAll(const FilterInput& in) {
  Value out = Value::array();
  for (const auto& match :
       PyRegexFindAll(Text(in), PyStr(in.args[0]), IsTruthy(in.args[2]), IsTruthy(in.args[1]))) {
    auto text = [&](size_t g) { return Value(match.groups[g].value_or("")); };
    if (match.groups.size() <= 2) {
      out.push_back(text(match.groups.size() - 1));
    } else {
      Value tuple = Value::array();
      for (size_t g = 1; g < match.groups.size(); ++g) tuple.push_back(text(g));
      out.push_back(std::move(tuple));
    }
  }
  return out;
}

Result RegexEscape(const FilterInput& in) {
  std::string type = PyStr(in.args[0]);
  if (type != "python") {
    throw TemplateError("regex_escape: only re_type='python' is supported, got '" + type + "'");
  }
  return PyRegexEscape(Text(in));
}

// --- lists -----------------------------------------------------------------

// Ansible's flatten(levels=None, skip_nulls=True), with an explicit stack:
// deep input must not recurse.
Result Flatten(const FilterInput& in) {
  if (!in.value->is_array()) {
    throw TemplateError("flatten expects a list, got " + TypeOf(*in.value));
  }
  bool limited = !in.args[0].is_null();
  int64_t levels = limited ? AsInt(in.args[0]) : 0;
  bool skip_nulls = IsTruthy(in.args[1]);
  struct Frame {
    const Value* list;
    size_t next;
    int64_t levels;
  };
  std::vector<Frame> stack{{in.value, 0, levels}};
  Value out = Value::array();
  while (!stack.empty()) {
    Frame& frame = stack.back();
    if (frame.next >= frame.list->size()) {
      stack.pop_back();
      continue;
    }
    const Value& item = (*frame.list)[frame.next++];
    bool null_like = item.is_null() || (item.is_string() && (item == "None" || item == "null"));
    if (skip_nulls && null_like) continue;
    if (item.is_array() && (!limited || frame.levels >= 1)) {
      int64_t next_levels = frame.levels - 1;
      stack.push_back(Frame{&item, 0, next_levels});
    } else {
      out.push_back(item);
    }
  }
  return out;
}

// zip(*others) / zip_longest(*others, fillvalue=None): lists of tuples.
Result ZipImpl(const FilterInput& in, bool longest, const Value& fill) {
  std::vector<std::vector<Value>> lists{Iterate(*in.value)};
  for (const auto& other : in.extra) lists.push_back(Iterate(other));
  size_t n = lists[0].size();
  for (const auto& l : lists) n = longest ? std::max(n, l.size()) : std::min(n, l.size());
  Value out = Value::array();
  for (size_t i = 0; i < n; ++i) {
    Value tuple = Value::array();
    for (const auto& l : lists) tuple.push_back(i < l.size() ? l[i] : fill);
    out.push_back(std::move(tuple));
  }
  return out;
}

Result Zip(const FilterInput& in) {
  if (!in.extra_keyword.empty()) {
    throw TemplateError("zip() takes no keyword arguments");
  }
  return ZipImpl(in, false, nullptr);
}

Result ZipLongest(const FilterInput& in) {
  Value fill = nullptr;
  for (const auto& [name, value] : in.extra_keyword) {
    if (name != "fillvalue") {
      throw TemplateError("zip_longest() got an unexpected keyword argument '" + name + "'");
    }
    fill = value;
  }
  return ZipImpl(in, true, fill);
}

// Ansible's set theory filters on lists keep the first list's order.
Value UniqueList(const std::vector<Value>& items) {
  Value out = Value::array();
  for (const auto& item : items) {
    if (!PyContains(out, item)) out.push_back(item);
  }
  return out;
}

Result Union(const FilterInput& in) {
  auto items = Iterate(*in.value);
  for (auto& item : Iterate(in.args[0])) items.push_back(std::move(item));
  return UniqueList(items);
}

Result Intersect(const FilterInput& in) {
  std::vector<Value> kept;
  for (auto& item : Iterate(*in.value)) {
    if (PyContains(in.args[0], item)) kept.push_back(std::move(item));
  }
  return UniqueList(kept);
}

Result Difference(const FilterInput& in) {
  std::vector<Value> kept;
  for (auto& item : Iterate(*in.value)) {
    if (!PyContains(in.args[0], item)) kept.push_back(std::move(item));
  }
  return UniqueList(kept);
}

Result SymmetricDifference(const FilterInput& in) {
  Value both = *Intersect(in);
  std::vector<Value> kept;
  for (auto& item : Iterate(*Union(in))) {
    if (!PyContains(both, item)) kept.push_back(std::move(item));
  }
  return UniqueList(kept);
}

// Jinja's sum(attribute=None, start=0).
Result Sum(const FilterInput& in) {
  Value total = in.args[1];
  for (const auto& item : Iterate(*in.value)) {
    total = Binary(BinaryOp::kAdd, total, Attribute(item, in.args[0]));
  }
  return total;
}

// Jinja's dictsort(case_sensitive=False, by='key', reverse=False): (key,
// value) pairs.
Result DictSort(const FilterInput& in) {
  if (!in.value->is_object())
    throw TemplateError("You can only sort by either \"key\" or \"value\"");
  std::string by = PyStr(in.args[1]);
  if (by != "key" && by != "value") {
    throw TemplateError("You can only sort by either \"key\" or \"value\"");
  }
  bool case_sensitive = IsTruthy(in.args[0]);
  std::vector<Value> pairs;
  for (const auto& [key, item] : in.value->items()) pairs.push_back(Value::array({key, item}));
  size_t pos = by == "key" ? 0 : 1;
  auto key_of = [&](const Value& pair) {
    const Value& k = pair[pos];
    return !case_sensitive && k.is_string() ? Value(PyLower(k.get_ref<const std::string&>())) : k;
  };
  bool reverse = IsTruthy(in.args[2]);
  std::stable_sort(pairs.begin(), pairs.end(), [&](const Value& a, const Value& b) {
    int c = PyCompare(key_of(a), key_of(b), CompareOp::kLt);
    return reverse ? c > 0 : c < 0;
  });
  return ToList(std::move(pairs));
}

// --- hashes ------------------------------------------------------------------

std::string HexDigest(std::string_view filter, const std::string& algorithm,
                      const std::string& data) {
  static constexpr std::pair<std::string_view, const char*> kNames[] = {
      {"md5", "MD5"},           {"sha1", "SHA1"},           {"sha224", "SHA224"},
      {"sha256", "SHA256"},     {"sha384", "SHA384"},       {"sha512", "SHA512"},
      {"sha3_224", "SHA3-224"}, {"sha3_256", "SHA3-256"},   {"sha3_384", "SHA3-384"},
      {"sha3_512", "SHA3-512"}, {"blake2b", "BLAKE2B-512"}, {"blake2s", "BLAKE2S-256"}};
  const char* name = nullptr;
  for (const auto& [python, openssl] : kNames) {
    if (python == PyLower(algorithm)) name = openssl;
  }
  const EVP_MD* md = name != nullptr ? EVP_get_digestbyname(name) : nullptr;
  if (md == nullptr) {
    throw TemplateError(std::string(filter) + ": unsupported hash type " + algorithm);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, md, nullptr) != 1) {
    throw TemplateError(std::string(filter) + ": computing the " + algorithm + " digest failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

Result Hash(const FilterInput& in) {
  return HexDigest("hash", PyStr(in.args[0]), Text(in));
}
Result Md5(const FilterInput& in) {
  return HexDigest("md5", "md5", Text(in));
}
Result Sha1(const FilterInput& in) {
  return HexDigest("sha1", "sha1", Text(in));
}

Result NoYaml(const FilterInput&) {
  throw TemplateError(
      "YAML output (to_yaml, to_nice_yaml) is not supported; use to_json or to_nice_json, "
      "whose output is valid YAML");
}

// --- JSON ------------------------------------------------------------------

Result ToJson(const FilterInput& in) {
  return PyJsonDumps(*in.value, IsNumeric(in.args[0]) ? static_cast<int>(AsInt(in.args[0])) : -1);
}

Result ToNiceJson(const FilterInput& in) {
  return PyJsonDumps(*in.value, IsNumeric(in.args[0]) ? static_cast<int>(AsInt(in.args[0])) : 4);
}

Result FromJson(const FilterInput& in) {
  if (!in.value->is_string()) {
    throw TemplateError("from_json expects a string, got " + TypeOf(*in.value));
  }
  try {
    return Value::parse(in.value->get_ref<const std::string&>());
  } catch (const Value::parse_error& e) {
    std::string why = e.what();
    size_t bracket = why.find("] ");  // drop nlohmann's "[json.exception...] " tag
    throw TemplateError("from_json: invalid JSON: " +
                        (bracket == std::string::npos ? why : why.substr(bracket + 2)));
  }
}

const Value kNone = nullptr;

const std::vector<FilterSpec>& Registry() {
  static const std::vector<FilterSpec> filters = [] {
    std::vector<FilterParam> default_params = {{"value", ""}, {"boolean", false}};
    std::vector<FilterParam> key_value = {{"key_name", "key"}, {"value_name", "value"}};
    std::vector<FilterSpec> f = {
        {"abs", {}, Abs},
        {"b64decode", {}, B64Decode},
        {"b64encode", {}, B64Encode},
        {"basename", {}, Basename},
        {"bool", {}, Bool},
        {"capitalize", {}, Capitalize},
        {"checksum", {}, Sha1},
        {"combine", {}, Combine, false, "", true},
        {"count", {}, Length},
        {"d", default_params, Default, true},
        {"dictsort", {{"case_sensitive", false}, {"by", "key"}, {"reverse", false}}, DictSort},
        {"difference", {{"b", kNone, true}}, Difference},
        {"default", default_params, Default, true},
        {"dict2items", key_value, Dict2Items},
        {"dirname", {}, Dirname},
        {"first", {}, First, false, "No first item, sequence was empty."},
        {"flatten", {{"levels", kNone}, {"skip_nulls", true}}, Flatten},
        {"float", {{"default", 0.0}}, Float},
        {"format", {}, Format, false, "", true},
        {"from_json", {}, FromJson},
        {"hash", {{"hashtype", "sha1"}}, Hash},
        {"indent", {{"width", 4}, {"first", false}, {"blank", false}}, Indent},
        {"int", {{"default", 0}, {"base", 10}}, Int},
        {"intersect", {{"b", kNone, true}}, Intersect},
        {"items2dict", key_value, Items2Dict},
        {"join", {{"d", ""}, {"attribute", kNone}}, Join},
        {"last", {}, Last, false, "No last item, sequence was empty."},
        {"length", {}, Length},
        {"list", {}, List},
        {"lower", {}, Lower},
        {"mandatory", {{"msg", kNone}}, Mandatory, true},
        {"md5", {}, Md5},
        {"map", {{"filter", kNone}}, Map, false, "", true},
        {"max",
         {{"case_sensitive", false}, {"attribute", kNone}},
         Max,
         false,
         "No aggregated item, sequence was empty."},
        {"min",
         {{"case_sensitive", false}, {"attribute", kNone}},
         Min,
         false,
         "No aggregated item, sequence was empty."},
        {"quote", {}, Quote},
        {"regex_escape", {{"re_type", "python"}}, RegexEscape},
        {"regex_findall",
         {{"regex", kNone, true}, {"multiline", false}, {"ignorecase", false}},
         RegexFindAll},
        {"regex_replace",
         {{"pattern", kNone, true},
          {"replacement", ""},
          {"ignorecase", false},
          {"multiline", false},
          {"count", 0}},
         RegexReplace},
        {"regex_search", {{"regex", kNone, true}}, RegexSearch, false, "", true},
        {"reject", {{"test", kNone}}, Reject, false, "", true},
        {"rejectattr", {{"attribute", kNone, true}, {"test", kNone}}, RejectAttr, false, "", true},
        {"replace", {{"old", kNone, true}, {"new", kNone, true}, {"count", kNone}}, Replace},
        {"reverse", {}, Reverse},
        {"round", {{"precision", 0}, {"method", "common"}}, Round},
        {"select", {{"test", kNone}}, Select, false, "", true},
        {"selectattr", {{"attribute", kNone, true}, {"test", kNone}}, SelectAttr, false, "", true},
        {"sha1", {}, Sha1},
        {"sort", {{"reverse", false}, {"case_sensitive", false}, {"attribute", kNone}}, Sort},
        {"split", {{"sep", kNone}, {"maxsplit", -1}}, Split},
        {"string", {}, ToString},
        {"sum", {{"attribute", kNone}, {"start", 0}}, Sum},
        {"symmetric_difference", {{"b", kNone, true}}, SymmetricDifference},
        {"ternary",
         {{"true_val", kNone, true}, {"false_val", kNone, true}, {"none_val", kNone}},
         Ternary},
        {"title", {}, Title},
        {"to_json", {{"indent", kNone}, {"sort_keys", false}}, ToJson},
        {"to_nice_json", {{"indent", 4}, {"sort_keys", true}}, ToNiceJson},
        {"to_nice_yaml", {}, NoYaml, false, "", true},
        {"to_yaml", {}, NoYaml, false, "", true},
        {"trim", {{"chars", kNone}}, Trim},
        {"truncate",
         {{"length", 255}, {"killwords", false}, {"end", "..."}, {"leeway", kNone}},
         Truncate},
        {"union", {{"b", kNone, true}}, Union},
        {"unique", {{"case_sensitive", kNone}, {"attribute", kNone}}, Unique},
        {"upper", {}, Upper},
        {"zip", {}, Zip, false, "", true},
        {"zip_longest", {}, ZipLongest, false, "", true},
    };
    return f;
  }();
  return filters;
}

}  // namespace

std::optional<size_t> FindFilter(std::string_view name) {
  const auto& filters = Registry();
  for (size_t i = 0; i < filters.size(); ++i) {
    if (filters[i].name == name) return i;
  }
  return std::nullopt;
}

const FilterSpec& FilterAt(size_t index) {
  return Registry().at(index);
}

std::vector<std::string> FilterNames() {
  std::vector<std::string> names;
  for (const auto& filter : Registry()) names.emplace_back(filter.name);
  return names;
}

std::optional<Value> ApplyFilter(const FilterSpec& filter, const Value* input,
                                 std::string_view input_name, std::vector<Value> positional,
                                 std::vector<std::pair<std::string, Value>> keyword) {
  std::string prefix = "filter '" + std::string(filter.name) + "' ";
  const auto& params = filter.params;
  FilterInput call{input, input_name, {}, {}, {}};
  if (filter.variadic && positional.size() > params.size()) {
    call.extra.assign(
        std::make_move_iterator(positional.begin() + static_cast<long>(params.size())),
        std::make_move_iterator(positional.end()));
    positional.resize(params.size());
  }
  if (positional.size() > params.size()) {
    throw TemplateError(prefix + "takes at most " + std::to_string(params.size()) +
                        " argument(s), " + std::to_string(positional.size()) + " given");
  }
  std::vector<std::optional<Value>> bound(params.size());
  for (size_t i = 0; i < positional.size(); ++i) bound[i] = std::move(positional[i]);
  for (auto& [name, value] : keyword) {
    auto it = std::find_if(params.begin(), params.end(),
                           [&](const FilterParam& p) { return p.name == name; });
    if (it == params.end() && filter.variadic) {
      call.extra_keyword.emplace_back(name, std::move(value));
      continue;
    }
    if (it == params.end()) {
      throw TemplateError(prefix + "got an unexpected keyword argument '" + name + "'");
    }
    auto& slot = bound[static_cast<size_t>(it - params.begin())];
    if (slot) throw TemplateError(prefix + "got multiple values for argument '" + name + "'");
    slot = std::move(value);
  }
  call.args.reserve(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    if (!bound[i] && params[i].required) {
      throw TemplateError(prefix + "missing required argument '" + std::string(params[i].name) +
                          "'");
    }
    call.args.push_back(bound[i] ? std::move(*bound[i]) : params[i].fallback);
  }
  try {
    return filter.apply(call);
  } catch (const TemplateError& e) {
    // Name the filter: "'int' object is not iterable" alone is hard to place.
    std::string what = e.what();
    if (what.rfind("filter '", 0) == 0 || filter.accepts_undefined) throw;
    throw TemplateError(what + " (in filter '" + std::string(filter.name) + "')");
  }
}

}  // namespace deployctl::template_internal
