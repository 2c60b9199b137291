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

namespace deployctl::template_internal {

// What Python type a list value stands for. Values are JSON, which has no
// tuples or dict views, so the evaluator carries this beside a value where
// Python would print it differently: `(1, 2)`, `dict_items([('a', 1)])`,
// `[(1, 'a'), (2, 'b')]` (zip, dictsort, items() | list).
enum class PyShape { kPlain, kTuple, kTupleList, kDictItems, kDictKeys, kDictValues };

// str(value) for a value of that shape.
void AppendShapedStr(std::string& out, const Value& value, PyShape shape);
std::string ShapedStr(const Value& value, PyShape shape);

// Python's printf-style `format % args`: `args` is the tuple's items when
// `args_is_tuple`, else one argument (a dict also serves `%(name)s`).
// Throws TemplateError with Python's messages ("not enough arguments for
// format string").
std::string PyPercentFormat(std::string_view format, const Value& args, bool args_is_tuple);

}  // namespace deployctl::template_internal
