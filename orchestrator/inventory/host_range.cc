#include "orchestrator/inventory/host_range.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <string_view>

namespace deployctl {
namespace {

constexpr std::string_view kLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

bool AllDigits(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t pos; (pos = s.find(sep, start)) != std::string::npos; start = pos + 1) {
    parts.push_back(s.substr(start, pos - start));
  }
  parts.push_back(s.substr(start));
  return parts;
}

// The values one "[...]" stands for, formatted as they appear in names.
std::vector<std::string> RangeValues(const std::string& body, const std::string& pattern) {
  const std::string where = " in host range '" + pattern + "'";
  std::vector<std::string> bounds = Split(body, ':');
  if (bounds.size() != 2 && bounds.size() != 3) {
    throw HostRangeError("expected [begin:end] or [begin:end:step]" + where);
  }
  std::string begin = bounds[0].empty() ? "0" : bounds[0];
  const std::string& end = bounds[1];
  if (end.empty()) throw HostRangeError("the range has no end value" + where);
  long step = 1;
  if (bounds.size() == 3) {
    if (!AllDigits(bounds[2]) || (step = std::stol(bounds[2])) == 0) {
      throw HostRangeError("the step must be a positive number, got '" + bounds[2] + "'" + where);
    }
  }
  std::vector<std::string> values;
  const size_t b = begin.size() == 1 ? kLetters.find(begin[0]) : std::string_view::npos;
  const size_t e = end.size() == 1 ? kLetters.find(end[0]) : std::string_view::npos;
  if (b != std::string_view::npos && e != std::string_view::npos) {
    if (b > e) throw HostRangeError("the range begins after it ends" + where);
    for (size_t i = b; i <= e; i += step) values.emplace_back(1, kLetters[i]);
    return values;
  }
  if (!AllDigits(begin) || !AllDigits(end) || begin.size() > 18 || end.size() > 18) {
    throw HostRangeError("expected numbers or single letters, got '" + body + "'" + where);
  }
  // A leading zero asks for fixed-width numbers: [01:20].
  const size_t width = begin.size() > 1 && begin[0] == '0' ? begin.size() : 0;
  if (width != 0 && width != end.size()) {
    throw HostRangeError("begin and end must have the same width, got '" + body + "'" + where);
  }
  const long long first = std::stoll(begin), last = std::stoll(end);
  if (first > last) throw HostRangeError("the range begins after it ends" + where);
  for (long long i = first; i <= last; i += step) {
    std::string text = std::to_string(i);
    if (text.size() < width) text.insert(0, width - text.size(), '0');
    values.push_back(std::move(text));
  }
  return values;
}

void Expand(const std::string& name, const std::string& pattern, std::vector<std::string>& out) {
  const size_t open = name.find('[');
  if (open == std::string::npos) {
    out.push_back(name);
    return;
  }
  const size_t close = name.find(']', open);
  if (close == std::string::npos) {
    throw HostRangeError("expected ']' to close the range in host range '" + pattern + "'");
  }
  const std::string head = name.substr(0, open), tail = name.substr(close + 1);
  for (const std::string& value : RangeValues(name.substr(open + 1, close - open - 1), pattern)) {
    Expand(head + value + tail, pattern, out);
  }
}

}  // namespace

std::vector<std::string> ExpandHostRange(const std::string& pattern) {
  std::vector<std::string> out;
  Expand(pattern, pattern, out);
  return out;
}

HostEntry ParseHostEntry(const std::string& text) {
  // Ansible's "bracketed_hostport" and "hostport": a port only after the
  // last colon that is outside brackets, and only when the rest has no
  // other bare colon (so "fe80::1" stays an address).
  static const std::regex kBracketed(R"(^\[(.+)\]:([0-9]{1,5})$)");
  static const std::regex kHostPort(R"(^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]{1,5})$)");
  std::smatch m;
  HostEntry entry;
  std::string host = text;
  if (std::regex_match(text, m, kBracketed) || std::regex_match(text, m, kHostPort)) {
    host = m[1].str();
    entry.port = std::stoi(m[2].str());
  }
  // A bracketed IPv6 address is a name, not a range.
  if (host.find('[') != std::string::npos && host.find("::") == std::string::npos) {
    entry.names = ExpandHostRange(host);
  } else {
    entry.names = {host};
  }
  return entry;
}

}  // namespace deployctl
