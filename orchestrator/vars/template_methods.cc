#include "orchestrator/vars/template_methods.h"

#include <algorithm>
#include <optional>

#include "orchestrator/vars/template.h"
#include "orchestrator/vars/template_format.h"
#include "orchestrator/vars/template_ops.h"
#include "orchestrator/vars/template_strings.h"

namespace deployctl::template_internal {
namespace {

constexpr int64_t kMaxRange = 100000;  // Jinja's sandbox limit

std::string TypeOf(const Value& v) {
  return std::string(PyTypeName(v));
}

// Binds arguments to parameter names; the first `required` are mandatory.
std::vector<std::optional<Value>> Bind(std::string_view method, const std::vector<Value>& args,
                                       const KeywordArgs& keyword,
                                       const std::vector<std::string_view>& params,
                                       size_t required) {
  std::string name(method);
  if (args.size() < required || args.size() > params.size()) {
    std::string expected = required == params.size()
                               ? std::to_string(required)
                               : std::to_string(required) + " to " + std::to_string(params.size());
    throw TemplateError(name + "() takes " + expected + " argument(s) (" +
                        std::to_string(args.size()) + " given)");
  }
  std::vector<std::optional<Value>> bound(params.size());
  for (size_t i = 0; i < args.size(); ++i) bound[i] = args[i];
  for (const auto& [key, value] : keyword) {
    auto it = std::find(params.begin(), params.end(), key);
    if (it == params.end()) {
      throw TemplateError(name + "() got an unexpected keyword argument '" + key + "'");
    }
    bound[static_cast<size_t>(it - params.begin())] = value;
  }
  for (size_t i = 0; i < required; ++i) {
    if (!bound[i])
      throw TemplateError(name + "() missing argument '" + std::string(params[i]) + "'");
  }
  return bound;
}

const std::string& RequireString(const Value& v, std::string_view method, std::string_view what) {
  if (!v.is_string()) {
    throw TemplateError(std::string(method) + "() " + std::string(what) + " must be str, not " +
                        TypeOf(v));
  }
  return v.get_ref<const std::string&>();
}

Value List(std::vector<std::string> parts) {
  Value out = Value::array();
  for (auto& part : parts) out.push_back(std::move(part));
  return out;
}

// startswith/endswith take a string or a tuple (list) of strings.
bool Affix(const std::string& s, const Value& affix, bool prefix, std::string_view method) {
  auto test = [&](const Value& a) {
    if (!a.is_string()) {
      throw TemplateError(std::string(method) + " first arg must be str or a tuple of str, not " +
                          TypeOf(a));
    }
    const auto& t = a.get_ref<const std::string&>();
    return prefix ? s.starts_with(t) : s.ends_with(t);
  };
  if (affix.is_array()) return std::any_of(affix.begin(), affix.end(), test);
  return test(affix);
}

std::optional<Value> StringMethod(const std::string& s, std::string_view name,
                                  const std::vector<Value>& args, const KeywordArgs& kw) {
  if (name == "startswith" || name == "endswith") {
    auto a = Bind(name, args, kw, {"prefix"}, 1);
    return Affix(s, *a[0], name == "startswith", name);
  }
  if (name == "split") {
    auto a = Bind(name, args, kw, {"sep", "maxsplit"}, 0);
    std::optional<std::string> sep;
    if (a[0] && !a[0]->is_null()) {
      sep = RequireString(*a[0], name, "separator");
      if (sep->empty()) throw TemplateError("empty separator");
    }
    int64_t maxsplit = a[1] && IsNumeric(*a[1]) ? AsInt(*a[1]) : -1;
    return List(PySplit(s, sep, maxsplit));
  }
  if (name == "splitlines") {
    Bind(name, args, kw, {}, 0);
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '\n' && s[i] != '\r') continue;
      lines.push_back(s.substr(start, i - start));
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      start = i + 1;
    }
    if (start < s.size()) lines.push_back(s.substr(start));
    return List(std::move(lines));
  }
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    auto a = Bind(name, args, kw, {"chars"}, 0);
    std::optional<std::string> chars;
    if (a[0] && !a[0]->is_null()) chars = RequireString(*a[0], name, "argument");
    return std::string(PyStrip(s, chars, name != "rstrip", name != "lstrip"));
  }
  if (name == "replace") {
    auto a = Bind(name, args, kw, {"old", "new", "count"}, 2);
    int64_t count = a[2] && IsNumeric(*a[2]) ? AsInt(*a[2]) : -1;
    return PyReplace(s, RequireString(*a[0], name, "argument 1"),
                     RequireString(*a[1], name, "argument 2"), count);
  }
  if (name == "lower" || name == "upper" || name == "capitalize" || name == "title") {
    Bind(name, args, kw, {}, 0);
    if (name == "lower") return PyLower(s);
    if (name == "upper") return PyUpper(s);
    if (name == "capitalize") return PyCapitalize(s);
    return PyTitle(s);
  }
  if (name == "join") {
    auto a = Bind(name, args, kw, {"iterable"}, 1);
    const Value& items = *a[0];
    if (!items.is_array()) {
      throw TemplateError("can only join an iterable of str, not " + TypeOf(items));
    }
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_string()) {
        throw TemplateError("sequence item " + std::to_string(i) + ": expected str instance, " +
                            TypeOf(items[i]) + " found");
      }
      if (i > 0) out += s;
      out += items[i].get_ref<const std::string&>();
    }
    return out;
  }
  return std::nullopt;
}

std::optional<Value> DictMethod(const Value& d, std::string_view name,
                                const std::vector<Value>& args, const KeywordArgs& kw) {
  if (name == "get") {
    auto a = Bind(name, args, kw, {"key", "default"}, 1);
    Value fallback = a[1] ? *a[1] : Value(nullptr);
    const Value& key = *a[0];
    std::string k = key.is_string() ? key.get_ref<const std::string&>() : PyStr(key);
    auto it = d.find(k);
    return it == d.end() ? fallback : *it;
  }
  if (name == "items" || name == "keys" || name == "values") {
    Bind(name, args, kw, {}, 0);
    Value out = Value::array();
    for (const auto& [key, item] : d.items()) {
      if (name == "items") {
        out.push_back(Value::array({key, item}));
      } else {
        out.push_back(name == "keys" ? Value(key) : item);
      }
    }
    return out;
  }
  return std::nullopt;
}

}  // namespace

Value CallMethod(const Value& object, std::string_view name, const std::vector<Value>& args,
                 const KeywordArgs& keyword) {
  std::optional<Value> result;
  if (object.is_string()) {
    result = StringMethod(object.get_ref<const std::string&>(), name, args, keyword);
  } else if (object.is_object()) {
    result = DictMethod(object, name, args, keyword);
  }
  if (!result) {
    std::string owner = object.is_null() ? "None" : TypeOf(object) + " object";
    throw TemplateError("'" + owner + "' has no attribute '" + std::string(name) + "'");
  }
  return std::move(*result);
}

bool IsKnownFunction(std::string_view name) {
  return name == "range";
}

Value CallFunction(std::string_view name, const std::vector<Value>& args,
                   const KeywordArgs& keyword) {
  if (name != "range") throw TemplateError("unknown function '" + std::string(name) + "'");
  if (!keyword.empty()) throw TemplateError("range() takes no keyword arguments");
  if (args.empty() || args.size() > 3) {
    throw TemplateError("range expected 1 to 3 arguments, got " + std::to_string(args.size()));
  }
  for (const auto& a : args) {
    if (!IsIntegral(a)) {
      throw TemplateError("'" + TypeOf(a) + "' object cannot be interpreted as an integer");
    }
  }
  int64_t start = args.size() == 1 ? 0 : AsInt(args[0]);
  int64_t stop = args.size() == 1 ? AsInt(args[0]) : AsInt(args[1]);
  int64_t step = args.size() == 3 ? AsInt(args[2]) : 1;
  if (step == 0) throw TemplateError("range() arg 3 must not be zero");
  Value out = Value::array();
  for (int64_t i = start; step > 0 ? i < stop : i > stop;) {
    if (static_cast<int64_t>(out.size()) >= kMaxRange) {
      throw TemplateError("range() is too big (more than " + std::to_string(kMaxRange) + " items)");
    }
    out.push_back(i);
    if (__builtin_add_overflow(i, step, &i)) break;
  }
  return out;
}

}  // namespace deployctl::template_internal
