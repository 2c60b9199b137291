// Values as text, the way Python prints them, because that is what users
// see from Ansible: `{{ 1.0 }}` is "1.0", `{{ flag }}` is "True", a list
// interpolated into a string is "['a', 'b']", to_json is json.dumps.
#pragma once

#include <string>
#include <string_view>

#include "orchestrator/core/value.h"

namespace deployctl::template_internal {

// Python's type name: "str", "int", "float", "bool", "NoneType", "list", "dict".
std::string_view PyTypeName(const Value& value);

// repr(float): shortest round-trip digits, "1.0", "1e+16", "1e-05", "inf".
std::string FormatFloat(double value);

// repr(value): strings quoted, None/True/False, [..] and {..}.
std::string PyRepr(const Value& value);

// str(value): a string as is, anything else as repr.
std::string PyStr(const Value& value);
void AppendPyStr(std::string& out, const Value& value);

// json.dumps(value, indent=indent) with ensure_ascii; indent < 0 means one
// line with ", " and ": " separators, as Python's defaults.
std::string PyJsonDumps(const Value& value, int indent);

}  // namespace deployctl::template_internal
