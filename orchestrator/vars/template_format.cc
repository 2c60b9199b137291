#include "orchestrator/vars/template_format.h"

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "orchestrator/vars/template.h"
#include "orchestrator/vars/template_strings.h"

namespace deployctl::template_internal {
namespace {

void AppendHexEscape(std::string& out, std::string_view prefix, unsigned value, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*x", digits, value);
  out += prefix;
  out += buf;
}

void AppendPyStringRepr(std::string& out, std::string_view s) {
  // Python picks double quotes only to avoid escaping single quotes.
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  out += quote;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (ch == quote || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      AppendHexEscape(out, "\\x", c, 2);
    } else {
      out += ch;
    }
  }
  out += quote;
}

void AppendRepr(std::string& out, const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      out += "None";
      return;
    case Value::value_t::boolean:
      out += v.get<bool>() ? "True" : "False";
      return;
    case Value::value_t::number_integer:
      out += std::to_string(v.get<int64_t>());
      return;
    case Value::value_t::number_unsigned:
      out += std::to_string(v.get<uint64_t>());
      return;
    case Value::value_t::number_float:
      out += FormatFloat(v.get<double>());
      return;
    case Value::value_t::string:
      AppendPyStringRepr(out, v.get_ref<const std::string&>());
      return;
    case Value::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v) {
        if (!first) out += ", ";
        first = false;
        AppendRepr(out, item);
      }
      out += ']';
      return;
    }
    case Value::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.items()) {
        if (!first) out += ", ";
        first = false;
        AppendPyStringRepr(out, key);
        out += ": ";
        AppendRepr(out, item);
      }
      out += '}';
      return;
    }
    default:
      out += "None";  // binary and discarded values never come from YAML
      return;
  }
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = DecodeUtf8(s, i);
    switch (cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (cp >= 0x20 && cp < 0x7f) {
      out += static_cast<char>(cp);
    } else if (cp < 0x10000) {
      AppendHexEscape(out, "\\u", cp, 4);
    } else {
      // ensure_ascii writes astral code points as surrogate pairs.
      uint32_t v = cp - 0x10000;
      AppendHexEscape(out, "\\u", 0xD800 + (v >> 10), 4);
      AppendHexEscape(out, "\\u", 0xDC00 + (v & 0x3FF), 4);
    }
  }
  out += '"';
}

void AppendJson(std::string& out, const Value& v, int indent, int depth) {
  auto newline = [&](int level) {
    out += '\n';
    out.append(static_cast<size_t>(indent * level), ' ');
  };
  const char* item_separator = indent < 0 ? ", " : ",";
  switch (v.type()) {
    case Value::value_t::null:
      out += "null";
      return;
    case Value::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case Value::value_t::number_float: {
      double d = v.get<double>();
      if (std::isnan(d)) {
        out += "NaN";
      } else if (std::isinf(d)) {
        out += d > 0 ? "Infinity" : "-Infinity";
      } else {
        out += FormatFloat(d);
      }
      return;
    }
    case Value::value_t::string:
      AppendJsonString(out, v.get_ref<const std::string&>());
      return;
    case Value::value_t::array:
    case Value::value_t::object: {
      bool is_object = v.is_object();
      out += is_object ? '{' : '[';
      if (v.empty()) {
        out += is_object ? '}' : ']';
        return;
      }
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += item_separator;
        first = false;
        if (indent >= 0) newline(depth + 1);
        if (is_object) {
          AppendJsonString(out, it.key());
          out += ": ";
        }
        AppendJson(out, it.value(), indent, depth + 1);
      }
      if (indent >= 0) newline(depth);
      out += is_object ? '}' : ']';
      return;
    }
    default:
      AppendRepr(out, v);  // integers print the same in both
      return;
  }
}

}  // namespace

std::string_view PyTypeName(const Value& value) {
  switch (value.type()) {
    case Value::value_t::null:
      return "NoneType";
    case Value::value_t::boolean:
      return "bool";
    case Value::value_t::number_integer:
    case Value::value_t::number_unsigned:
      return "int";
    case Value::value_t::number_float:
      return "float";
    case Value::value_t::string:
      return "str";
    case Value::value_t::array:
      return "list";
    case Value::value_t::object:
      return "dict";
    default:
      return "object";
  }
}

std::string FormatFloat(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // Shortest round-trip digits, then Python's layout: positional notation
  // for exponents -4..15, else d.ddde+XX.
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(result.ptr - buf));
  size_t e_pos = sci.find('e');
  std::string_view mantissa = sci.substr(0, e_pos);
  int exponent = std::stoi(std::string(sci.substr(e_pos + 1)));
  bool negative = !mantissa.empty() && mantissa[0] == '-';
  if (negative) mantissa.remove_prefix(1);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  std::string out = negative ? "-" : "";
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out += "0.";
      out.append(static_cast<size_t>(-exponent - 1), '0');
      out += digits;
    } else {
      size_t int_len = static_cast<size_t>(exponent) + 1;
      if (digits.size() <= int_len) {
        out += digits;
        out.append(int_len - digits.size(), '0');
        out += ".0";
      } else {
        out += digits.substr(0, int_len);
        out += '.';
        out += digits.substr(int_len);
      }
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) {
    out += '.';
    out += digits.substr(1);
  }
  char exp_buf[16];
  std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  out += exp_buf;
  return out;
}

std::string PyRepr(const Value& value) {
  std::string out;
  AppendRepr(out, value);
  return out;
}

void AppendPyStr(std::string& out, const Value& value) {
  if (value.is_string()) {
    out += value.get_ref<const std::string&>();
  } else {
    AppendRepr(out, value);
  }
}

std::string PyStr(const Value& value) {
  std::string out;
  AppendPyStr(out, value);
  return out;
}

std::string PyJsonDumps(const Value& value, int indent) {
  std::string out;
  AppendJson(out, value, indent, 0);
  return out;
}

}  // namespace deployctl::template_internal

namespace deployctl::template_internal {
namespace {

void AppendTuple(std::string& out, const Value& v) {
  out += '(';
  bool first = true;
  for (const auto& item : v) {
    if (!first) out += ", ";
    first = false;
    AppendRepr(out, item);
  }
  if (v.size() == 1) out += ',';
  out += ')';
}

void AppendTupleList(std::string& out, const Value& v) {
  out += '[';
  bool first = true;
  for (const auto& item : v) {
    if (!first) out += ", ";
    first = false;
    if (item.is_array()) {
      AppendTuple(out, item);
    } else {
      AppendRepr(out, item);
    }
  }
  out += ']';
}

// One conversion of a % format: flags, width, precision, type.
struct Spec {
  bool left = false, zero = false, plus = false, space = false, alt = false;
  int64_t width = 0;
  int64_t precision = -1;
  char type = 's';
};

std::string Pad(std::string body, const Spec& spec, bool numeric, size_t sign_len) {
  size_t length = CodePointCount(body);
  if (spec.width <= 0 || length >= static_cast<size_t>(spec.width)) return body;
  size_t fill = static_cast<size_t>(spec.width) - length;
  if (spec.left) return body + std::string(fill, ' ');
  if (spec.zero && numeric) return body.insert(sign_len, std::string(fill, '0'));
  return std::string(fill, ' ') + body;
}

std::string Sign(bool negative, const Spec& spec) {
  if (negative) return "-";
  if (spec.plus) return "+";
  if (spec.space) return " ";
  return "";
}

std::string FormatInteger(const Value& v, const Spec& spec) {
  bool integer_only = spec.type == 'o' || spec.type == 'x' || spec.type == 'X';
  if (!v.is_number() && !v.is_boolean()) {
    throw TemplateError(std::string("%") + spec.type +
                        " format: " + (integer_only ? "an integer" : "a real number") +
                        " is required, not " + std::string(PyTypeName(v)));
  }
  if (integer_only && v.is_number_float()) {
    throw TemplateError(std::string("%") + spec.type +
                        " format: an integer is required, not float");
  }
  bool negative = false;
  uint64_t magnitude = 0;
  if (v.is_number_float()) {
    double d = std::trunc(v.get<double>());
    if (!std::isfinite(d)) throw TemplateError("cannot convert float infinity or NaN to integer");
    if (std::fabs(d) >= 1.8e19) throw TemplateError("%d format: number too large");
    negative = d < 0;
    magnitude = static_cast<uint64_t>(std::fabs(d));
  } else if (v.is_number_unsigned()) {
    magnitude = v.get<uint64_t>();
  } else {
    int64_t n = v.is_boolean() ? (v.get<bool>() ? 1 : 0) : v.get<int64_t>();
    negative = n < 0;
    magnitude = negative ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  }
  char buf[32];
  const char* conversion = spec.type == 'o'   ? "%" PRIo64
                           : spec.type == 'x' ? "%" PRIx64
                           : spec.type == 'X' ? "%" PRIX64
                                              : "%" PRIu64;
  std::snprintf(buf, sizeof buf, conversion, magnitude);
  std::string prefix = Sign(negative, spec);
  if (spec.alt && integer_only) prefix += spec.type == 'o' ? "0o" : spec.type == 'x' ? "0x" : "0X";
  return Pad(prefix + buf, spec, true, prefix.size());
}

std::string FormatFloatSpec(const Value& v, const Spec& spec) {
  if (!v.is_number() && !v.is_boolean()) {
    throw TemplateError("must be real number, not " + std::string(PyTypeName(v)));
  }
  double d = v.is_boolean()           ? (v.get<bool>() ? 1.0 : 0.0)
             : v.is_number_float()    ? v.get<double>()
             : v.is_number_unsigned() ? static_cast<double>(v.get<uint64_t>())
                                      : static_cast<double>(v.get<int64_t>());
  int precision = spec.precision < 0 ? 6 : static_cast<int>(std::min<int64_t>(spec.precision, 300));
  char format[16];
  std::snprintf(format, sizeof format, "%%%s.%d%c", spec.alt ? "#" : "", precision, spec.type);
  char buf[512];
  std::snprintf(buf, sizeof buf, format, std::fabs(d));
  std::string prefix = Sign(std::signbit(d) && !std::isnan(d), spec);
  return Pad(prefix + buf, spec, std::isfinite(d), prefix.size());
}

std::string FormatOne(const Value& v, const Spec& spec, size_t index) {
  switch (spec.type) {
    case 's':
    case 'r':
    case 'a': {
      std::string text = spec.type == 's' ? PyStr(v) : PyRepr(v);
      if (spec.precision >= 0) {
        auto cps = SplitCodePoints(text);
        if (static_cast<size_t>(spec.precision) < cps.size()) {
          std::string cut;
          for (size_t i = 0; i < static_cast<size_t>(spec.precision); ++i) cut += cps[i];
          text = cut;
        }
      }
      return Pad(text, spec, false, 0);
    }
    case 'd':
    case 'i':
    case 'u':
    case 'o':
    case 'x':
    case 'X':
      return FormatInteger(v, spec);
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      return FormatFloatSpec(v, spec);
    case 'c': {
      std::string text;
      if (v.is_string() && CodePointCount(v.get_ref<const std::string&>()) == 1) {
        text = v.get<std::string>();
      } else if (v.is_number_integer()) {
        int64_t cp = v.get<int64_t>();
        if (cp < 0 || cp > 0x10FFFF) throw TemplateError("%c arg not in range(0x110000)");
        AppendUtf8(text, static_cast<uint32_t>(cp));
      } else {
        throw TemplateError("%c requires int or char");
      }
      return Pad(text, spec, false, 0);
    }
    default: {
      char buf[96];
      std::snprintf(buf, sizeof buf, "unsupported format character '%c' (0x%x) at index %zu",
                    spec.type, static_cast<unsigned char>(spec.type), index);
      throw TemplateError(buf);
    }
  }
}

}  // namespace

void AppendShapedStr(std::string& out, const Value& value, PyShape shape) {
  if (!value.is_array() || shape == PyShape::kPlain) {
    AppendPyStr(out, value);
    return;
  }
  switch (shape) {
    case PyShape::kTuple:
      AppendTuple(out, value);
      return;
    case PyShape::kTupleList:
      AppendTupleList(out, value);
      return;
    case PyShape::kDictItems:
      out += "dict_items(";
      AppendTupleList(out, value);
      out += ')';
      return;
    case PyShape::kDictKeys:
    case PyShape::kDictValues:
      out += shape == PyShape::kDictKeys ? "dict_keys(" : "dict_values(";
      AppendRepr(out, value);
      out += ')';
      return;
    case PyShape::kPlain:
      break;
  }
  AppendPyStr(out, value);
}

std::string ShapedStr(const Value& value, PyShape shape) {
  std::string out;
  AppendShapedStr(out, value, shape);
  return out;
}

std::string PyPercentFormat(std::string_view format, const Value& args, bool args_is_tuple) {
  std::vector<const Value*> items;
  if (args_is_tuple) {
    for (const auto& item : args) items.push_back(&item);
  } else {
    items.push_back(&args);
  }
  // Python treats a lone dict (or other subscriptable non-string) as the
  // mapping for %(name)s and does not count it as an unused argument.
  const Value* mapping = !args_is_tuple && (args.is_object() || args.is_array()) ? &args : nullptr;
  size_t next = 0;
  auto next_arg = [&]() -> const Value& {
    if (next >= items.size()) throw TemplateError("not enough arguments for format string");
    return *items[next++];
  };
  auto star = [&]() -> int64_t {
    const Value& v = next_arg();
    if (!v.is_number_integer() && !v.is_boolean()) throw TemplateError("* wants int");
    return v.is_boolean() ? (v.get<bool>() ? 1 : 0) : v.get<int64_t>();
  };
  auto digits = [&](size_t& i) {
    int64_t n = 0;
    while (i < format.size() && format[i] >= '0' && format[i] <= '9') {
      n = std::min<int64_t>(n * 10 + (format[i] - '0'), 1 << 20);
      ++i;
    }
    return n;
  };
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    if (++i >= format.size()) throw TemplateError("incomplete format");
    const Value* keyed = nullptr;
    if (format[i] == '(') {
      if (mapping == nullptr || !mapping->is_object()) {
        throw TemplateError("format requires a mapping");
      }
      size_t start = ++i;
      int depth = 1;
      while (i < format.size() && depth > 0) {
        if (format[i] == '(') ++depth;
        if (format[i] == ')') --depth;
        ++i;
      }
      if (depth > 0) throw TemplateError("incomplete format key");
      std::string key(format.substr(start, i - 1 - start));
      auto it = mapping->find(key);
      if (it == mapping->end()) throw TemplateError("KeyError: " + PyRepr(Value(key)));
      keyed = &*it;
    }
    Spec spec;
    for (; i < format.size(); ++i) {
      char f = format[i];
      if (f == '-') {
        spec.left = true;
      } else if (f == '0') {
        spec.zero = true;
      } else if (f == '+') {
        spec.plus = true;
      } else if (f == ' ') {
        spec.space = true;
      } else if (f == '#') {
        spec.alt = true;
      } else {
        break;
      }
    }
    if (i < format.size() && format[i] == '*') {
      spec.width = star();
      if (spec.width < 0) {
        spec.left = true;
        spec.width = -spec.width;
      }
      ++i;
    } else {
      spec.width = digits(i);
    }
    if (i < format.size() && format[i] == '.') {
      ++i;
      if (i < format.size() && format[i] == '*') {
        spec.precision = std::max<int64_t>(star(), 0);
        ++i;
      } else {
        spec.precision = digits(i);
      }
    }
    while (i < format.size() && (format[i] == 'h' || format[i] == 'l' || format[i] == 'L')) ++i;
    if (i >= format.size()) throw TemplateError("incomplete format");
    spec.type = format[i];
    if (spec.type == '%') {
      out += '%';
      continue;
    }
    const Value& value = keyed != nullptr ? *keyed : next_arg();
    out += FormatOne(value, spec, i);
  }
  if (mapping == nullptr && next < items.size()) {
    throw TemplateError("not all arguments converted during string formatting");
  }
  return out;
}

}  // namespace deployctl::template_internal
