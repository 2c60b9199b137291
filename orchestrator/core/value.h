// Variables are JSON values: the same model Ansible uses (strings, numbers,
// booleans, null, lists, dicts), and what `--output json` and
// `inventory --list` print.
#pragma once

#include <nlohmann/json.hpp>

namespace deployctl {

using Value = nlohmann::json;

}  // namespace deployctl
