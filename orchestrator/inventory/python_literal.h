// Python's ast.literal_eval for the values of INI inventories: Ansible's
// ini plugin literal-evaluates every value, so `port=22` is a number,
// `debug=True` a boolean, `tags="['a','b']"` a list, and anything Python
// would reject (`true`, `hello world`, `010`) stays the original string.
#pragma once

#include <optional>
#include <string_view>

#include "orchestrator/core/value.h"

namespace deployctl {

// The value Python's ast.literal_eval(text) gives, or nullopt when Python
// would raise (the caller then keeps the text). Covers numbers (with
// underscores, 0x/0o/0b, floats), strings with prefixes and escapes
// (adjacent ones concatenated), True/False/None, lists, tuples (as lists),
// dicts (keys rendered as JSON object keys) and a trailing "# comment".
// Not covered, so kept as text: complex numbers, sets, integers that do not
// fit in 64 bits.
std::optional<Value> PythonLiteral(std::string_view text);

// INI value typing: PythonLiteral(text), or the text itself.
Value IniValue(std::string_view text);

}  // namespace deployctl
