// Python's re.sub for the regex_replace filter, on top of std::regex
// (ECMAScript). Patterns written for Ansible use Python syntax, so named
// groups "(?P<name>...)", "(?P=name)", leading inline flags "(?i)" and
// \A / \Z are translated, and the replacement uses Python's "\1",
// "\g<1>", "\g<name>" rather than ECMAScript's "$1". Lookbehind, which
// std::regex lacks, is refused with a clear error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deployctl::template_internal {

// re.sub(pattern, replacement, text, count) with IGNORECASE / MULTILINE;
// count <= 0 replaces all matches.
std::string PyRegexReplace(std::string_view text, std::string_view pattern,
                           std::string_view replacement, bool ignorecase, bool multiline,
                           int64_t count);

// Inputs longer than this are refused: std::regex matches recursively (a
// frame or more per character), so a long input exhausted the 8 MiB stack
// (`(a|b)*` on 20000 characters crashed). 4 KiB leaves room for nested
// groups; it lowers the risk, an engine without recursion would remove it.
inline constexpr size_t kMaxRegexInput = 4 * 1024;

// A match: group 0 is the whole match; an unmatched group is nullopt.
struct RegexMatch {
  std::vector<std::optional<std::string>> groups;
  std::vector<std::pair<std::string, size_t>> names;  // named group -> number
};

// re.search (or re.match when `at_start`): the first match, if any.
std::optional<RegexMatch> PyRegexSearch(std::string_view text, std::string_view pattern,
                                        bool ignorecase, bool multiline, bool at_start = false);

// re.findall: every non-overlapping match.
std::vector<RegexMatch> PyRegexFindAll(std::string_view text, std::string_view pattern,
                                       bool ignorecase, bool multiline);

// re.escape: every character but ASCII letters, digits and '_' escaped.
std::string PyRegexEscape(std::string_view text);

}  // namespace deployctl::template_internal
