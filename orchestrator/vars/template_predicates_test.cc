#include "orchestrator/vars/template_predicates.h"

#include <catch2/catch.hpp>

#include "orchestrator/vars/template.h"

using deployctl::RenderTemplateText;
using deployctl::Value;

namespace {

const Value kVars = {{"a", 1},         {"f", 2.5},           {"n", nullptr},
                     {"t", true},      {"s", "Hello World"}, {"e", ""},
                     {"l", {3, 1, 2}}, {"d", {{"a", 1}}}};

std::string R(std::string_view text, const Value& vars = kVars) {
  return RenderTemplateText(text, vars);
}

}  // namespace

TEST_CASE("type tests", "[vars][tests]") {
  CHECK(R("{{ n is none }} {{ a is not none }} {{ s is string }} {{ a is string }}") ==
        "True True True False");
  CHECK(R("{{ a is number }} {{ t is number }} {{ a is integer }} {{ f is float }}") ==
        "True True True True");
  CHECK(R("{{ t is boolean }} {{ t is true }} {{ 1 is true }} {{ false is false }}") ==
        "True True False True");
  CHECK(R("{{ d is mapping }} {{ l is sequence }} {{ s is iterable }} {{ a is iterable }}") ==
        "True True True False");
  CHECK(R("{{ a is callable }} {{ s is escaped }} {{ n is sameas none }}") == "False False True");
}

TEST_CASE("number and comparison tests", "[vars][tests]") {
  CHECK(R("{{ a is odd }} {{ 2 is even }} {{ 9 is divisibleby(3) }} {{ 9 is divisibleby 4 }}") ==
        "True True True False");
  CHECK(
      R("{{ a is eq 1 }} {{ a is equalto(2) }} {{ a is ne 2 }} {{ a is gt(0) }} {{ a is lt 0 }}") ==
      "True False True True False");
  CHECK(R("{{ a is ge 1 }} {{ a is le 0 }} {{ 2 is in(l) }} {{ l is contains(3) }}") ==
        "True False True True");
}

TEST_CASE("string, list and regex tests", "[vars][tests]") {
  CHECK(R("{{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 'aB' is lower }}") == "True True False");
  CHECK(R("{{ [1, 2] is subset(l) }} {{ l is superset([3]) }} {{ [true, false] is any }} "
          "{{ [true, false] is all }}") == "True True True False");
  CHECK(R("{{ e is truthy }} {{ s is falsy }}") == "False False");
  CHECK(R("{{ s is match('Hel') }} {{ s is match('World') }} {{ s is search('W.r') }}") ==
        "True False True");
  CHECK(
      R("{{ s is regex('^h', ignorecase=true) }} {{ s is regex('World', match_type='match') }}") ==
      "True False");
}

TEST_CASE("version test compares as Ansible's LooseVersion", "[vars][tests][version]") {
  CHECK(R("{{ '1.2.3' is version('1.10', '<') }} {{ '1.2' is version('1.2') }}") == "True True");
  CHECK(R("{{ '1.2.10' is version('1.2.9', 'ge') }} {{ '1.2.10' is version('1.3', operator='lt') "
          "}}") == "True True");
  CHECK(R("{{ '1.0a' is version('1.0', '>') }} {{ '2.0' is version_compare('1.9', '>') }}") ==
        "True True");
  CHECK(R("{{ '1.2.3' is version('1.2.3', '!=') }} {{ '1.2.3' is version('1.2.3', '==') }}") ==
        "False True");
  CHECK_THROWS_WITH(R("{{ '1' is version('2', 'bad') }}"),
                    "Invalid operator type (bad). Must be one of '==', '=', 'eq', '<', 'lt', '<=', "
                    "'le', '>', 'gt', '>=', 'ge', '!=', '<>', 'ne'");
  CHECK_THROWS_WITH(R("{{ '1.a' is version('1.1', '<') }}"),
                    "Version comparison failed: '<' not supported between instances of 'str' and "
                    "'int'");
  CHECK_THROWS_WITH(R("{{ '' is version('1') }}"), "Input version value cannot be empty");
}

TEST_CASE("version test: strict and semver", "[vars][tests][version]") {
  CHECK(R("{{ '1.2.3' is version('1.2.4', 'lt', strict=true) }}") == "True");
  CHECK(R("{{ '1.2' is version('1.2.0', 'eq', version_type='strict') }}") == "True");
  CHECK(R("{{ '1.2a1' is version('1.2', 'lt', strict=true) }}") == "True");
  CHECK_THROWS_WITH(R("{{ '1.2.3a' is version('1.2', 'lt', strict=true) }}"),
                    "Version comparison failed: invalid version number '1.2.3a'");
  CHECK(R("{{ '1.0.0-rc.1' is version('1.0.0', '<', version_type='semver') }}") == "True");
  CHECK(R("{{ '1.0.0-alpha' is version('1.0.0-alpha.1', '<', version_type='semver') }}") == "True");
  CHECK(R("{{ '1.0.0-2' is version('1.0.0-beta', '<', version_type='semver') }}") == "True");
  CHECK(R("{{ '1.0.0+build' is version('1.0.0', '==', version_type='semantic') }}") == "True");
  CHECK_THROWS_WITH(R("{{ '1.0' is version('1.0.0', version_type='semver') }}"),
                    "Version comparison failed: invalid semantic version '1.0'");
  CHECK_THROWS_WITH(R("{{ '1' is version('1', version_type='x') }}"),
                    "Invalid version type (x). Must be one of 'loose', 'strict', 'semver', "
                    "'semantic', 'pep440'");
}

TEST_CASE("tests refuse undefined input except defined and undefined", "[vars][tests]") {
  CHECK_THROWS_WITH(R("{{ nope is string }}"), "undefined variable 'nope'");
  CHECK(R("{{ nope is undefined }} {{ n is defined }}") == "True True");
}
