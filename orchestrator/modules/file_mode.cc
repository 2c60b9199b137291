#include "orchestrator/modules/file_mode.h"

#include <cstdio>
#include <regex>

namespace deployctl {
namespace {

constexpr unsigned kUser = 04700, kGroup = 02070, kOther = 01007;

std::optional<unsigned> ParseOctal(const std::string& text) {
  static const std::regex kOctal("0?o?[0-7]{1,4}");
  if (!std::regex_match(text, kOctal)) return std::nullopt;
  const size_t digits = text.find_first_not_of("0o");
  return digits == std::string::npos ? 0u : std::stoul(text.substr(digits), nullptr, 8);
}

}  // namespace

std::optional<FileMode> FileMode::Parse(const Value& value) {
  FileMode mode;
  if (value.is_number_unsigned() || value.is_number_integer()) {
    const long long bits = value.get<long long>();
    if (bits < 0 || bits > 07777) return std::nullopt;
    mode.absolute_ = static_cast<unsigned>(bits);
    return mode;
  }
  if (!value.is_string()) return std::nullopt;
  const std::string text = value.get<std::string>();
  if (auto bits = ParseOctal(text)) {
    mode.absolute_ = *bits;
    return mode;
  }
  // Symbolic: comma-separated [ugoa]*[-+=][rwxXst]*.
  static const std::regex kClause("([ugoa]*)([-+=])([rwxXst]*)");
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::smatch m;
    const std::string part = text.substr(start, comma - start);
    if (!std::regex_match(part, m, kClause)) return std::nullopt;
    Clause clause;
    for (char c : m[1].str()) {
      clause.who |= c == 'u' ? kUser : c == 'g' ? kGroup : c == 'o' ? kOther : 07777;
    }
    if (clause.who == 0) clause.who = 07777;
    clause.op = m[2].str()[0];
    clause.perms = m[3].str();
    mode.clauses_.push_back(clause);
    start = comma + 1;
  }
  return mode;
}

unsigned FileMode::Apply(unsigned current, bool is_dir) const {
  if (clauses_.empty()) return absolute_;
  unsigned bits = current & 07777;
  for (const Clause& clause : clauses_) {
    unsigned perms = 0;
    for (char c : clause.perms) {
      switch (c) {
        case 'r':
          perms |= 0444;
          break;
        case 'w':
          perms |= 0222;
          break;
        case 'x':
          perms |= 0111;
          break;
        case 'X':
          if (is_dir || (bits & 0111)) perms |= 0111;
          break;
        case 's':
          perms |= 06000;
          break;
        case 't':
          perms |= 01000;
          break;
      }
    }
    perms &= clause.who;
    if (clause.op == '+') bits |= perms;
    if (clause.op == '-') bits &= ~perms;
    if (clause.op == '=') bits = (bits & ~clause.who) | perms;
  }
  return bits;
}

std::optional<FileMode> ModeArg(const ModuleArgs& args, std::string_view name) {
  if (!args.Has(name)) return std::nullopt;
  auto mode = FileMode::Parse(args.Get(name));
  if (!mode) args.FailType(name, "an octal string like '0644'");
  return mode;
}

std::string OctalMode(unsigned mode) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04o", mode & 07777);
  return buffer;
}

}  // namespace deployctl
