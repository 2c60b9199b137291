#include "orchestrator/vars/template_syntax_error.h"

#include <algorithm>
#include <string>

#include "orchestrator/vars/template_strings.h"

namespace deployctl::template_internal {
namespace {

constexpr size_t kMaxQuoted = 100;  // bytes of a line quoted around the error

bool IsContinuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

TemplateError SyntaxError(std::string_view source, size_t offset, std::string_view what,
                          std::string_view expected) {
  if (offset > source.size()) offset = source.size();
  size_t line_start = 0;
  size_t line_number = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (source[i] == '\n') {
      line_start = i + 1;
      ++line_number;
    }
  }
  size_t line_end = source.find('\n', offset);
  if (line_end == std::string_view::npos) line_end = source.size();
  std::string_view line = source.substr(line_start, line_end - line_start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t column = CodePointCount(source.substr(line_start, offset - line_start)) + 1;

  // Long lines (a whole script in one YAML string) are quoted around the spot.
  std::string quoted;
  size_t at = offset - line_start;
  if (line.size() > kMaxQuoted) {
    size_t begin = at > kMaxQuoted / 2 ? at - kMaxQuoted / 2 : 0;
    size_t end = std::min(line.size(), begin + kMaxQuoted);
    while (begin > 0 && IsContinuation(line[begin])) --begin;
    while (end < line.size() && IsContinuation(line[end])) ++end;
    quoted = (begin > 0 ? "..." : "") + std::string(line.substr(begin, end - begin)) +
             (end < line.size() ? "..." : "");
  } else {
    quoted = line;
  }

  std::string message(what);
  bool multi_line = source.find('\n') != std::string_view::npos;
  message += multi_line ? " at line " + std::to_string(line_number) + " column " : " at column ";
  message += std::to_string(column) + " in \"" + quoted + "\"";
  if (!expected.empty()) {
    message += " (expected ";
    message += expected;
    message += ')';
  }
  return TemplateError(message);
}

}  // namespace deployctl::template_internal
