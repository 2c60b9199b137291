#include "orchestrator/inventory/python_literal.h"

#include <catch2/catch.hpp>

using deployctl::IniValue;
using deployctl::PythonLiteral;
using deployctl::Value;

// Expected values were checked against ansible-inventory 2.14 (ini plugin).
TEST_CASE("numbers as Python reads them", "[python_literal]") {
  CHECK(IniValue("5") == Value(5));
  CHECK(IniValue("-5") == Value(-5));
  CHECK(IniValue("+5") == Value(5));
  CHECK(IniValue("1_000") == Value(1000));
  CHECK(IniValue("0x1F") == Value(31));
  CHECK(IniValue("0o17") == Value(15));
  CHECK(IniValue("0b101") == Value(5));
  CHECK(IniValue("00") == Value(0));
  CHECK(IniValue("1.5") == Value(1.5));
  CHECK(IniValue("1.") == Value(1.0));
  CHECK(IniValue(".5") == Value(0.5));
  CHECK(IniValue("1e3") == Value(1000.0));
  CHECK(IniValue("1e3").is_number_float());
}

TEST_CASE("what Python rejects stays text", "[python_literal]") {
  CHECK(IniValue("010") == Value("010"));  // leading zeros are a SyntaxError
  CHECK(IniValue("1__0") == Value("1__0"));
  CHECK(IniValue("--5") == Value("--5"));
  CHECK(IniValue("true") == Value("true"));  // only True is a boolean
  CHECK(IniValue("yes") == Value("yes"));
  CHECK(IniValue("hello world") == Value("hello world"));
  CHECK(IniValue("a=b") == Value("a=b"));
  CHECK(IniValue("1.2.3.4") == Value("1.2.3.4"));
  CHECK(IniValue("/opt/app") == Value("/opt/app"));
  CHECK(IniValue("") == Value(""));
  CHECK(IniValue("1j") == Value("1j"));          // complex: not supported
  CHECK(IniValue("{1, 2}") == Value("{1, 2}"));  // set: not supported
  CHECK(IniValue("99999999999999999999") == Value("99999999999999999999"));
  CHECK(IniValue("f'x'") == Value("f'x'"));
  CHECK(IniValue("'unterminated") == Value("'unterminated"));
}

TEST_CASE("True, False and None", "[python_literal]") {
  CHECK(IniValue("True") == Value(true));
  CHECK(IniValue("False") == Value(false));
  CHECK(IniValue("None").is_null());
  CHECK(IniValue("-True") == Value("-True"));
}

TEST_CASE("strings: quotes, prefixes, escapes, concatenation", "[python_literal]") {
  CHECK(IniValue("'quoted'") == Value("quoted"));
  CHECK(IniValue("\"dq\"") == Value("dq"));
  CHECK(IniValue("'a' 'b'") == Value("ab"));
  CHECK(IniValue("'a\\tb'") == Value("a\tb"));
  CHECK(IniValue("r'a\\tb'") == Value("a\\tb"));
  CHECK(IniValue("u'x'") == Value("x"));
  CHECK(IniValue("b'by'") == Value("by"));
  CHECK(IniValue("'\\x41\\u00e9'") == Value("A\xc3\xa9"));
  CHECK(IniValue("'\\q'") == Value("\\q"));
  CHECK(IniValue("'''triple'''") == Value("triple"));
  CHECK(IniValue("'a' b'b'") == Value("'a' b'b'"));  // str + bytes is a SyntaxError
}

TEST_CASE("containers", "[python_literal]") {
  CHECK(IniValue("[1, 'a', [None]]") == Value::parse(R"([1, "a", [null]])"));
  CHECK(IniValue("(1,2)") == Value::parse("[1, 2]"));
  CHECK(IniValue("(5)") == Value(5));
  CHECK(IniValue("()") == Value::array());
  CHECK(IniValue("[1,]") == Value::parse("[1]"));
  CHECK(IniValue("{'a': 1, 2: 3}") == Value::parse(R"({"a": 1, "2": 3})"));
  CHECK(IniValue("{}") == Value::object());
  CHECK(IniValue("[1, 2") == Value("[1, 2"));
}

TEST_CASE("a trailing comment is allowed, as in Python source", "[python_literal]") {
  CHECK(IniValue("5 # five") == Value(5));
  CHECK(IniValue("hello # c") == Value("hello # c"));
  CHECK_FALSE(PythonLiteral("# only a comment").has_value());
}

TEST_CASE("deep nesting is refused rather than overflowing", "[python_literal]") {
  CHECK_FALSE(PythonLiteral(std::string(5000, '[')).has_value());
}
