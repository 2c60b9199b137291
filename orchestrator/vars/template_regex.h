// Python's re.sub for the regex_replace filter, on top of std::regex
// (ECMAScript). Patterns written for Ansible use Python syntax, so named
// groups "(?P<name>...)", "(?P=name)", leading inline flags "(?i)" and
// \A / \Z are translated, and the replacement uses Python's "\1",
// "\g<1>", "\g<name>" rather than ECMAScript's "$1". Lookbehind, which
// std::regex lacks, is refused with a clear error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace deployctl::template_internal {

// re.sub(pattern, replacement, text, count) with IGNORECASE / MULTILINE;
// count <= 0 replaces all matches.
std::string PyRegexReplace(std::string_view text, std::string_view pattern,
                           std::string_view replacement, bool ignorecase, bool multiline,
                           int64_t count);

}  // namespace deployctl::template_internal
