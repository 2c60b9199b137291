#include "orchestrator/vars/template_filters.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "orchestrator/vars/template.h"
#include "orchestrator/vars/template_format.h"
#include "orchestrator/vars/template_ops.h"
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

// Ansible's unique: exact comparison, first occurrence kept. Jinja's
// case-insensitive variant when case_sensitive=false is passed.
Result Unique(const FilterInput& in) {
  bool case_sensitive = in.args[0].is_null() || IsTruthy(in.args[0]);
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

void Merge(Value& into, const Value& from, bool recursive) {
  for (const auto& [key, item] : from.items()) {
    auto it = into.find(key);
    if (recursive && it != into.end() && it->is_object() && item.is_object()) {
      Merge(*it, item, true);
    } else {
      into[key] = item;
    }
  }
}

Result Combine(const FilterInput& in) {
  if (!in.value->is_object()) {
    throw TemplateError("combine expects dictionaries, got " + TypeOf(*in.value));
  }
  Value out = *in.value;
  std::vector<Value> others =
      in.args[0].is_array() ? Iterate(in.args[0]) : std::vector<Value>{in.args[0]};
  for (const auto& other : others) {
    if (!other.is_object())
      throw TemplateError("combine expects dictionaries, got " + TypeOf(other));
    Merge(out, other, IsTruthy(in.args[1]));
  }
  return out;
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
        {"combine", {{"other", kNone, true}, {"recursive", false}}, Combine},
        {"count", {}, Length},
        {"d", default_params, Default, true},
        {"default", default_params, Default, true},
        {"dict2items", key_value, Dict2Items},
        {"dirname", {}, Dirname},
        {"first", {}, First, false, "No first item, sequence was empty."},
        {"float", {{"default", 0.0}}, Float},
        {"from_json", {}, FromJson},
        {"int", {{"default", 0}, {"base", 10}}, Int},
        {"items2dict", key_value, Items2Dict},
        {"join", {{"d", ""}, {"attribute", kNone}}, Join},
        {"last", {}, Last, false, "No last item, sequence was empty."},
        {"length", {}, Length},
        {"list", {}, List},
        {"lower", {}, Lower},
        {"mandatory", {{"msg", kNone}}, Mandatory, true},
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
        {"regex_replace",
         {{"pattern", kNone, true},
          {"replacement", ""},
          {"ignorecase", false},
          {"multiline", false},
          {"count", 0}},
         RegexReplace},
        {"replace", {{"old", kNone, true}, {"new", kNone, true}, {"count", kNone}}, Replace},
        {"reverse", {}, Reverse},
        {"round", {{"precision", 0}, {"method", "common"}}, Round},
        {"sort", {{"reverse", false}, {"case_sensitive", false}, {"attribute", kNone}}, Sort},
        {"split", {{"sep", kNone}, {"maxsplit", -1}}, Split},
        {"string", {}, ToString},
        {"ternary",
         {{"true_val", kNone, true}, {"false_val", kNone, true}, {"none_val", kNone}},
         Ternary},
        {"title", {}, Title},
        {"to_json", {{"indent", kNone}, {"sort_keys", false}}, ToJson},
        {"to_nice_json", {{"indent", 4}, {"sort_keys", true}}, ToNiceJson},
        {"trim", {{"chars", kNone}}, Trim},
        {"unique", {{"case_sensitive", kNone}, {"attribute", kNone}}, Unique},
        {"upper", {}, Upper},
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
