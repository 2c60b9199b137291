#include "orchestrator/vars/template_format.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "orchestrator/vars/template.h"

using deployctl::TemplateError;
using deployctl::Value;
using deployctl::template_internal::FormatFloat;
using deployctl::template_internal::PyJsonDumps;
using deployctl::template_internal::PyPercentFormat;
using deployctl::template_internal::PyRepr;
using deployctl::template_internal::PyShape;
using deployctl::template_internal::PyStr;
using deployctl::template_internal::PyTypeName;
using deployctl::template_internal::ShapedStr;

TEST_CASE("FormatFloat writes repr(float)", "[vars][format]") {
  CHECK(FormatFloat(1.0) == "1.0");
  CHECK(FormatFloat(0.1) == "0.1");
  CHECK(FormatFloat(1e16) == "1e+16");
  CHECK(FormatFloat(1e15) == "1000000000000000.0");
  CHECK(FormatFloat(0.0001) == "0.0001");
  CHECK(FormatFloat(0.00001) == "1e-05");
  CHECK(FormatFloat(-2.5) == "-2.5");
  CHECK(FormatFloat(1.5e-300) == "1.5e-300");
  CHECK(FormatFloat(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(FormatFloat(std::nan("")) == "nan");
}

TEST_CASE("PyRepr and PyStr write Python's text", "[vars][format]") {
  CHECK(PyRepr("it's") == "\"it's\"");
  CHECK(PyRepr("say \"hi\" it's") == "'say \"hi\" it\\'s'");
  CHECK(PyRepr("a\tb\x01") == "'a\\tb\\x01'");
  CHECK(PyRepr(Value{{"a", {1, nullptr, true}}}) == "{'a': [1, None, True]}");
  CHECK(PyStr("plain") == "plain");
  CHECK(PyStr(Value(2.0)) == "2.0");
  CHECK(PyTypeName(Value::array()) == "list");
  CHECK(PyTypeName(nullptr) == "NoneType");
}

TEST_CASE("shaped values print as tuples and dict views", "[vars][format]") {
  Value pairs = Value::array({Value::array({"a", 1}), Value::array({"b", 2})});
  CHECK(ShapedStr(Value::array({1, "x"}), PyShape::kTuple) == "(1, 'x')");
  CHECK(ShapedStr(Value::array({1}), PyShape::kTuple) == "(1,)");
  CHECK(ShapedStr(pairs, PyShape::kTupleList) == "[('a', 1), ('b', 2)]");
  CHECK(ShapedStr(pairs, PyShape::kDictItems) == "dict_items([('a', 1), ('b', 2)])");
  CHECK(ShapedStr(Value::array({"a"}), PyShape::kDictKeys) == "dict_keys(['a'])");
  CHECK(ShapedStr(Value::array({1}), PyShape::kDictValues) == "dict_values([1])");
  CHECK(ShapedStr("text", PyShape::kTuple) == "text");
}

TEST_CASE("PyPercentFormat is Python's % operator", "[vars][format]") {
  CHECK(PyPercentFormat("%s=%d", Value::array({"a", 1}), true) == "a=1");
  CHECK(PyPercentFormat("%s", Value::array({1, 2}), false) == "[1, 2]");
  CHECK(PyPercentFormat("%(k)s", Value{{"k", "v"}}, false) == "v");
  CHECK(PyPercentFormat("%5.1f|%-6.2e|%G", Value::array({3.14159, 1234.5, 1e-10}), true) ==
        "  3.1|1.23e+03|1E-10");
  CHECK(PyPercentFormat("%05d|%+.2f|% d", Value::array({-42, 1.5, 7}), true) == "-0042|+1.50| 7");
  CHECK(PyPercentFormat("%.2s", "abc", false) == "ab");
  CHECK(PyPercentFormat("no args", Value::object(), false) == "no args");
  CHECK_THROWS_WITH(PyPercentFormat("no args", 5, false),
                    "not all arguments converted during string formatting");
  CHECK_THROWS_WITH(PyPercentFormat("%x", 1.5, false),
                    "%x format: an integer is required, not float");
  CHECK_THROWS_WITH(PyPercentFormat("%f", "x", false), "must be real number, not str");
  CHECK_THROWS_WITH(PyPercentFormat("%(a)s", 1, false), "format requires a mapping");
  CHECK_THROWS_AS(PyPercentFormat("%c", 0x110000, false), TemplateError);
}

TEST_CASE("PyJsonDumps is json.dumps with ensure_ascii", "[vars][format]") {
  CHECK(PyJsonDumps(Value{{"a", {1, 2.0}}}, -1) == "{\"a\": [1, 2.0]}");
  CHECK(PyJsonDumps(Value{{"a", 1}}, 2) == "{\n  \"a\": 1\n}");
  CHECK(PyJsonDumps("\xF0\x9F\x98\x80", -1) == "\"\\ud83d\\ude00\"");
  CHECK(PyJsonDumps(std::numeric_limits<double>::infinity(), -1) == "Infinity");
}
