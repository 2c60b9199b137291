// Python's shlex.split(line, comments=True) in POSIX mode, which Ansible's
// ini plugin uses to cut a host line into the host and its key=value words.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace deployctl {

// An unterminated quote or a trailing backslash; the message is the one
// Python gives ("No closing quotation", "No escaped character").
class ShlexError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Words split on whitespace; '...' is literal, "..." honours \" and \\,
// a backslash outside quotes escapes any character, and '#' outside quotes
// ends the line. Throws ShlexError.
std::vector<std::string> ShlexSplit(std::string_view line);

}  // namespace deployctl
