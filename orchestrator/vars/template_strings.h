// Python `str` behaviour on UTF-8 strings, for templates: lengths and
// indexes count code points (as Python does), split/strip/replace follow
// Python's rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrator/core/utf8.h"  // code points, as Python counts them

namespace deployctl::template_internal {

// True if `text` contains "{{", "{%" or "{#". Allocation-free: a hot path.
bool HasTemplateMarkers(std::string_view text);

// Case changes cover ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic,
// the scripts host names and user names are written in; other code points
// are left as they are.
std::string PyLower(std::string_view text);
std::string PyUpper(std::string_view text);
std::string PyCapitalize(std::string_view text);
std::string PyTitle(std::string_view text);     // str.title(): "it's" -> "It'S"
std::string JinjaTitle(std::string_view text);  // the title filter: "it's" -> "It's"

// Jinja's newline_sequence: "\r\n" and "\r" in template text become "\n".
void AppendNormalizedNewlines(std::string& out, std::string_view text);

// str.strip / lstrip / rstrip; no `chars` means whitespace.
std::string_view PyStrip(std::string_view text, std::optional<std::string_view> chars, bool left,
                         bool right);

// str.split(sep, maxsplit); no `sep` splits on runs of whitespace.
std::vector<std::string> PySplit(std::string_view text, std::optional<std::string_view> sep,
                                 int64_t maxsplit);

// str.replace(old, new, count); count < 0 means all.
std::string PyReplace(std::string_view text, std::string_view old_text, std::string_view new_text,
                      int64_t count);

// shlex.quote: the text unchanged if it only has shell-safe characters,
// else single-quoted with embedded ' written as '"'"'.
std::string ShellQuote(std::string_view text);

// Python int(text, base) (base 0 = from prefix); nullopt if invalid.
std::optional<int64_t> ParsePyInt(std::string_view text, int base);
// Python float(text); nullopt if invalid.
std::optional<double> ParsePyFloat(std::string_view text);

}  // namespace deployctl::template_internal
