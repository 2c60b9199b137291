#include "orchestrator/vars/template_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

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
