// Splits a command line into argv the way a POSIX shell splits words, with
// no expansion: quotes and backslashes are honoured, `$HOME`, `*`, `~`,
// `|` and `;` stay literal text (as in Ansible's `command`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace deployctl {

// Throws std::invalid_argument ("unterminated double quote") on bad input.
std::vector<std::string> SplitShellWords(std::string_view text);

}  // namespace deployctl
