// Ansible host patterns (ansible/inventory/manager.py): the pieces of a
// pattern and how one piece matches a name. Inventory::Match combines them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace deployctl {

// "a,b" splits on commas only; otherwise "a:b:&c:!d" splits on colons
// outside brackets, except that a single address ("web1:22", "fe80::1",
// "web[1:3]") stays whole. Whitespace around pieces is dropped.
std::vector<std::string> SplitHostPattern(const std::string& pattern);

// Python's fnmatch (case-sensitive): *, ?, [abc], [a-z], [!abc].
bool GlobMatch(std::string_view glob, std::string_view text);

}  // namespace deployctl
