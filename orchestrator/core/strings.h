// Small string rules every layer shares, each written once.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace deployctl {

// Without leading and trailing whitespace (space, \t, \r, \n, \f, \v).
std::string Trim(std::string_view text);

// ASCII letters lowered; other bytes (UTF-8 included) unchanged.
std::string Lower(std::string_view text);

// Ansible's boolean words, in any case: yes/no, true/false, on/off, 1/0.
// nullopt for anything else.
std::optional<bool> ParseBool(std::string_view text);

}  // namespace deployctl
