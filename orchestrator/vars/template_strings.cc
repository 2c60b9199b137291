#include "orchestrator/vars/template_strings.h"

#include <charconv>
#include <cstring>
#include <limits>

namespace deployctl::template_internal {
namespace {

constexpr std::string_view kWhitespace = " \t\n\r\v\f";

bool IsSpace(char c) {
  return kWhitespace.find(c) != std::string_view::npos;
}
bool IsAsciiLower(char c) {
  return c >= 'a' && c <= 'z';
}
bool IsAsciiUpper(char c) {
  return c >= 'A' && c <= 'Z';
}

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

}  // namespace

bool HasTemplateMarkers(std::string_view text) {
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const void* hit = std::memchr(p, '{', static_cast<size_t>(end - p));
    if (hit == nullptr) return false;
    p = static_cast<const char*>(hit) + 1;
    if (p < end && (*p == '{' || *p == '%' || *p == '#')) return true;
  }
  return false;
}

namespace {

// Upper/lower pairs in Latin Extended-A: the upper case letter is the one
// at the even (or, in the second range, odd) code point.
bool InPairedRange(uint32_t cp, bool& upper) {
  if ((cp >= 0x100 && cp <= 0x12F) || (cp >= 0x132 && cp <= 0x137) ||
      (cp >= 0x14A && cp <= 0x177)) {
    upper = cp % 2 == 0;
    return true;
  }
  if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) {
    upper = cp % 2 == 1;
    return true;
  }
  return false;
}

uint32_t LowerCp(uint32_t cp) {
  if (cp < 0x80) return IsAsciiUpper(static_cast<char>(cp)) ? cp + 32 : cp;
  if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) || (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) ||
      (cp >= 0x410 && cp <= 0x42F)) {
    return cp + 32;
  }
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
  if (cp == 0x386) return 0x3AC;
  if (cp >= 0x388 && cp <= 0x38A) return cp + 37;
  if (cp == 0x38C) return 0x3CC;
  if (cp == 0x38E || cp == 0x38F) return cp + 63;
  if (cp == 0x178) return 0xFF;
  bool upper = false;
  if (InPairedRange(cp, upper) && upper) return cp + 1;
  return cp;
}

uint32_t UpperCp(uint32_t cp) {
  if (cp < 0x80) return IsAsciiLower(static_cast<char>(cp)) ? cp - 32 : cp;
  if ((cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) || (cp >= 0x3B1 && cp <= 0x3CB && cp != 0x3C2) ||
      (cp >= 0x430 && cp <= 0x44F)) {
    return cp - 32;
  }
  if (cp >= 0x450 && cp <= 0x45F) return cp - 80;
  if (cp == 0x3C2) return 0x3A3;  // final sigma
  if (cp == 0x3AC) return 0x386;
  if (cp >= 0x3AD && cp <= 0x3AF) return cp - 37;
  if (cp == 0x3CC) return 0x38C;
  if (cp == 0x3CD || cp == 0x3CE) return cp - 63;
  if (cp == 0xFF) return 0x178;
  if (cp == 0x131) return 'I';
  if (cp == 0x17F) return 'S';
  bool upper = false;
  if (InPairedRange(cp, upper) && !upper) return cp - 1;
  return cp;
}

void AppendUpper(std::string& out, uint32_t cp) {
  if (cp == 0xDF) {
    out += "SS";  // as Python: 'ß'.upper() == 'SS'
  } else {
    AppendUtf8(out, UpperCp(cp));
  }
}

bool IsCased(uint32_t cp) {
  return LowerCp(cp) != cp || UpperCp(cp) != cp || cp == 0xDF;
}

// Maps each code point; `upper(i, cp)` says whether the i-th goes upper.
template <typename UpperWhen>
std::string MapCase(std::string_view text, UpperWhen upper) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0, index = 0; i < text.size(); ++index) {
    uint32_t cp = DecodeUtf8(text, i);
    if (upper(index, cp)) {
      AppendUpper(out, cp);
    } else {
      AppendUtf8(out, LowerCp(cp));
    }
  }
  return out;
}

}  // namespace

std::string PyLower(std::string_view text) {
  return MapCase(text, [](size_t, uint32_t) { return false; });
}

std::string PyUpper(std::string_view text) {
  return MapCase(text, [](size_t, uint32_t) { return true; });
}

std::string PyCapitalize(std::string_view text) {
  return MapCase(text, [](size_t index, uint32_t) { return index == 0; });
}

std::string PyTitle(std::string_view text) {
  bool previous_cased = false;
  return MapCase(text, [&](size_t, uint32_t cp) {
    bool start = !previous_cased;
    previous_cased = IsCased(cp);
    return start;
  });
}

std::string JinjaTitle(std::string_view text) {
  // Jinja starts a word after '-', whitespace, '(', '{', '[' or '<' only.
  bool word_start = true;
  return MapCase(text, [&](size_t, uint32_t cp) {
    bool separator = cp < 0x80 && (IsSpace(static_cast<char>(cp)) ||
                                   std::string_view("-({[<").find(static_cast<char>(cp)) !=
                                       std::string_view::npos);
    bool upper = word_start;
    word_start = separator;
    return upper;
  });
}

void AppendNormalizedNewlines(std::string& out, std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') {
      out += text[i];
    } else {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    }
  }
}

std::string_view PyStrip(std::string_view text, std::optional<std::string_view> chars, bool left,
                         bool right) {
  std::string_view set = chars ? *chars : kWhitespace;
  if (left) {
    size_t first = text.find_first_not_of(set);
    text.remove_prefix(first == std::string_view::npos ? text.size() : first);
  }
  if (right) {
    size_t last = text.find_last_not_of(set);
    text = text.substr(0, last == std::string_view::npos ? 0 : last + 1);
  }
  return text;
}

std::vector<std::string> PySplit(std::string_view text, std::optional<std::string_view> sep,
                                 int64_t maxsplit) {
  std::vector<std::string> parts;
  if (sep) {
    size_t start = 0;
    while (maxsplit < 0 || static_cast<int64_t>(parts.size()) < maxsplit) {
      size_t hit = text.find(*sep, start);
      if (hit == std::string_view::npos) break;
      parts.emplace_back(text.substr(start, hit - start));
      start = hit + sep->size();
    }
    parts.emplace_back(text.substr(start));
    return parts;
  }
  // Whitespace mode: runs of whitespace separate, empty parts are dropped.
  size_t i = 0;
  while (true) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    if (i == text.size()) break;
    if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
      parts.emplace_back(PyStrip(text.substr(i), std::nullopt, false, true));
      break;
    }
    size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    parts.emplace_back(text.substr(start, i - start));
  }
  return parts;
}

std::string PyReplace(std::string_view text, std::string_view old_text, std::string_view new_text,
                      int64_t count) {
  std::string out;
  if (old_text.empty()) {
    // Python inserts `new` before every code point and at the end.
    int64_t done = 0;
    for (std::string_view cp : SplitCodePoints(text)) {
      if (count < 0 || done < count) {
        out += new_text;
        ++done;
      }
      out += cp;
    }
    if (count < 0 || done < count) out += new_text;
    return out;
  }
  size_t start = 0;
  for (int64_t done = 0; count < 0 || done < count; ++done) {
    size_t hit = text.find(old_text, start);
    if (hit == std::string_view::npos) break;
    out.append(text, start, hit - start);
    out += new_text;
    start = hit + old_text.size();
  }
  out.append(text, start);
  return out;
}

std::string ShellQuote(std::string_view text) {
  if (text.empty()) return "''";
  bool safe = true;
  for (char c : text) {
    bool word = IsAsciiLower(c) || IsAsciiUpper(c) || (c >= '0' && c <= '9') || c == '_';
    if (!word && std::string_view("@%+=:,./-").find(c) == std::string_view::npos) {
      safe = false;
      break;
    }
  }
  if (safe) return std::string(text);
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\"'\"'";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

std::optional<int64_t> ParsePyInt(std::string_view text, int base) {
  text = PyStrip(text, std::nullopt, true, true);
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  auto prefix_base = [&]() -> int {
    if (text.size() < 2 || text[0] != '0') return 0;
    char p = static_cast<char>(text[1] | 0x20);
    return p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
  };
  int from_prefix = prefix_base();
  bool had_prefix = false;
  const bool automatic = base == 0;
  if (base == 0) {
    base = from_prefix ? from_prefix : 10;
    had_prefix = from_prefix != 0;
  } else if (from_prefix == base) {
    had_prefix = true;
  }
  if (had_prefix) text.remove_prefix(2);
  if (base < 2 || base > 36 || text.empty()) return std::nullopt;
  uint64_t value = 0;
  bool previous_digit = had_prefix;  // "0x_1f" is valid, "_1" is not
  bool any_digit = false;
  bool all_zero = true;
  for (char c : text) {
    if (c == '_') {
      if (!previous_digit) return std::nullopt;
      previous_digit = false;
      continue;
    }
    int d = DigitValue(c);
    if (d >= base) return std::nullopt;
    if (d != 0) all_zero = false;
    if (value > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(d)) /
                    static_cast<uint64_t>(base)) {
      return std::nullopt;
    }
    value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    previous_digit = true;
    any_digit = true;
  }
  if (!any_digit || !previous_digit) return std::nullopt;
  // Base 0 refuses "010": Python keeps leading zeros for explicit prefixes.
  if (automatic && !had_prefix && text[0] == '0' && !all_zero) return std::nullopt;
  uint64_t limit = negative ? static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1
                            : static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (value > limit) return std::nullopt;
  if (negative)
    return value == limit ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(value);
  return static_cast<int64_t>(value);
}

std::optional<double> ParsePyFloat(std::string_view text) {
  text = PyStrip(text, std::nullopt, true, true);
  std::string clean;
  clean.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '_') {
      // Only between two digits, as in Python.
      bool ok = i > 0 && i + 1 < text.size() && DigitValue(text[i - 1]) < 10 &&
                DigitValue(text[i + 1]) < 10;
      if (!ok) return std::nullopt;
      continue;
    }
    clean += c;
  }
  std::string_view s = clean;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s[0] == '+' || s[0] == '-') return std::nullopt;
  std::string lower = PyLower(s);
  double value = 0;
  if (lower == "inf" || lower == "infinity") {
    value = std::numeric_limits<double>::infinity();
  } else if (lower == "nan") {
    value = std::numeric_limits<double>::quiet_NaN();
  } else {
    for (char c : lower) {
      // from_chars would also take "infinity" spellings and hex; refuse odd input here.
      if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == '+' || c == '-')) {
        return std::nullopt;
      }
    }
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  }
  return negative ? -value : value;
}

}  // namespace deployctl::template_internal
