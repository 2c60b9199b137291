// Host entries as inventories write them: "web1", "web1:2222",
// "web[01:20].example.com", "db-[a:c]", "node[1:10:2]", "[::1]:22".
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace deployctl {

// A malformed range; the message says what was expected. Loaders add the
// file location and rethrow as ConfigError.
class HostRangeError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct HostEntry {
  std::vector<std::string> names;  // expanded, in range order
  std::optional<int> port;         // from a ":NN" suffix
};

// Expands every [begin:end] / [begin:end:step] range in `pattern`, left to
// right (numeric ranges keep leading zeros: [01:10] gives 01..10; one-letter
// ranges run over a-zA-Z as in Ansible). Throws HostRangeError.
std::vector<std::string> ExpandHostRange(const std::string& pattern);

// Splits an optional ":port" off (as Ansible's parse_address does, so IPv6
// addresses keep their colons) and expands the ranges in the rest.
HostEntry ParseHostEntry(const std::string& text);

}  // namespace deployctl
