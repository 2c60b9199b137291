#include "orchestrator/vars/template_methods.h"

#include <catch2/catch.hpp>

#include "orchestrator/vars/template.h"
#include "orchestrator/vars/template_strings.h"

using deployctl::RenderTemplateText;
using deployctl::Value;
using deployctl::template_internal::ParsePyFloat;
using deployctl::template_internal::ParsePyInt;
using deployctl::template_internal::PySplit;
using deployctl::template_internal::ShellQuote;

namespace {

const Value kVars = {{"s", "Hello World"},
                     {"csv", "a,b,,c"},
                     {"host", {{"name", "web1"}, {"port", 8080}}},
                     {"a", 1}};

std::string R(std::string_view text, const Value& vars = kVars) {
  return RenderTemplateText(text, vars);
}

}  // namespace

TEST_CASE("string methods", "[vars][methods]") {
  CHECK(R("{{ s.startswith('Hell') }} {{ s.startswith(('x', 'H')) }} {{ s.endswith('d') }}") ==
        "True True True");
  CHECK(R("{{ csv.split(',') }} {{ 'a b c'.split(' ', 1) }} {{ ' a  b '.split() }}") ==
        "['a', 'b', '', 'c'] ['a', 'b c'] ['a', 'b']");
  CHECK(R("{{ 'x\\ny\\r\\nz'.splitlines() }} [{{ '  p  '.strip() }}] {{ 'xxaxx'.strip('x') }}") ==
        "['x', 'y', 'z'] [p] a");
  CHECK(
      R("{{ s.replace('l', 'L') }} {{ s.replace('l', 'L', 2) }} {{ s.upper() }} {{ s.lower() }}") ==
      "HeLLo WorLd HeLLo World HELLO WORLD hello world");
  CHECK(R("{{ \"it's ok\".title() }} {{ 'aBC'.capitalize() }} {{ '-'.join(['a', 'b']) }}") ==
        "It'S Ok Abc a-b");
}

TEST_CASE("dict methods", "[vars][methods]") {
  CHECK(R("{{ host.get('port') }} {{ host.get('nope') }} {{ host.get('nope', 1) }}") ==
        "8080 None 1");
  CHECK(R("{{ host.keys() | list }} {{ host.values() | list }}") ==
        "['name', 'port'] ['web1', 8080]");
}

TEST_CASE("method errors use Python's words", "[vars][methods][errors]") {
  CHECK_THROWS_WITH(R("{{ s.nope() }}"), "'str object' has no attribute 'nope'");
  CHECK_THROWS_WITH(R("{{ a.upper() }}"), "'int object' has no attribute 'upper'");
  CHECK_THROWS_WITH(R("{{ '-'.join([1, 2]) }}"),
                    "sequence item 0: expected str instance, int found");
  CHECK_THROWS_WITH(R("{{ s.startswith() }}"), "startswith() takes 1 argument(s) (0 given)");
  CHECK_THROWS_WITH(R("{{ s.split('') }}"), "empty separator");
}

TEST_CASE("Python string helpers", "[vars][strings]") {
  CHECK(PySplit("a  b ", std::nullopt, -1) == std::vector<std::string>{"a", "b"});
  CHECK(PySplit("a  b c", std::nullopt, 1) == std::vector<std::string>{"a", "b c"});
  CHECK(PySplit("a::b", "::", -1) == std::vector<std::string>{"a", "b"});
  CHECK(ShellQuote("a-b_c.d/e:f") == "a-b_c.d/e:f");
  CHECK(ShellQuote("a b") == "'a b'");
  CHECK(ParsePyInt(" 42 ", 10) == 42);
  CHECK(ParsePyInt("0x1f", 0) == 31);
  CHECK(ParsePyInt("1_000", 10) == 1000);
  CHECK_FALSE(ParsePyInt("_1", 10).has_value());
  CHECK_FALSE(ParsePyInt("010", 0).has_value());
  CHECK_FALSE(ParsePyInt("99999999999999999999", 10).has_value());
  CHECK(ParsePyFloat("1e3") == 1000.0);
  CHECK(ParsePyFloat("-inf") == -std::numeric_limits<double>::infinity());
  CHECK_FALSE(ParsePyFloat("0x10").has_value());
  CHECK_FALSE(ParsePyFloat("1__0").has_value());
}
