#include "orchestrator/vars/template_eval.h"

#include <catch2/catch.hpp>

#include "orchestrator/vars/template.h"

using deployctl::EvaluateCondition;
using deployctl::EvaluateExpression;
using deployctl::IsTruthy;
using deployctl::RenderString;
using deployctl::RenderTemplateText;
using deployctl::RenderValue;
using deployctl::TemplateError;
using deployctl::UndefinedVariableError;
using deployctl::Value;

namespace {

const Value kVars = {
    {"a", 1},
    {"f", 2.5},
    {"n", nullptr},
    {"t", true},
    {"s", "Hello World"},
    {"e", ""},
    {"l", {3, 1, 2}},
    {"d", {{"a", 1}, {"b", {1, 2}}}},
    {"host", {{"name", "web1"}, {"port", 8080}}},
    {"users", {{{"name", "alice"}, {"age", 30}}, {{"name", "bob"}, {"age", 25}}}},
};

std::string R(std::string_view text, const Value& vars = kVars) {
  return RenderTemplateText(text, vars);
}

}  // namespace

TEST_CASE("values print as Python prints them", "[vars][eval]") {
  CHECK(R("{{ a }} {{ f }} {{ n }} {{ t }} {{ 1.0 }} {{ 1e16 }} {{ 0.1 + 0.2 }}") ==
        "1 2.5 None True 1.0 1e+16 0.30000000000000004");
  CHECK(R("{{ l }} {{ d }}") == "[3, 1, 2] {'a': 1, 'b': [1, 2]}");
  CHECK(R("{{ [\"it's\", 'a\\nb', none, false] }}") == "[\"it's\", 'a\\nb', None, False]");
  CHECK(R("{{ 'Grüße' }}") == "Grüße");
}

TEST_CASE("lookups: attributes, keys, indexes, slices", "[vars][eval]") {
  CHECK(R("{{ host.name }} {{ host['port'] }} {{ l[0] }} {{ l[-1] }} {{ l.1 }}") ==
        "web1 8080 3 2 1");
  CHECK(R("{{ users[1].name }} {{ s[0] }} {{ s[-1] }} {{ 'Grüße'[2] }}") == "bob H d ü");
  CHECK(R("{{ l[1:] }} {{ l[::-1] }} {{ s[:5] }} {{ 'abc'[::-1] }} {{ l[5:9] }}") ==
        "[1, 2] [2, 1, 3] Hello cba []");
  CHECK_THROWS_WITH(R("{{ l[::0] }}"), "slice step cannot be zero");
}

TEST_CASE("arithmetic follows Python", "[vars][eval]") {
  CHECK(R("{{ 7 / 2 }} {{ 4 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }}") ==
        "3.5 2.0 3 -4 2 -2");
  CHECK(R("{{ 2 ** 10 }} {{ 2 ** -1 }} {{ true + 1 }} {{ 'ab' * 2 }} {{ [0] * 2 }}") ==
        "1024 0.5 2 abab [0, 0]");
  CHECK(R("{{ 'a' + 'b' }} {{ l + [4] }} {{ 'v' ~ a ~ n }}") == "ab [3, 1, 2, 4] v1None");
  CHECK_THROWS_WITH(R("{{ 1 / 0 }}"), "division by zero");
  CHECK_THROWS_WITH(R("{{ 1 // 0 }}"), "integer division or modulo by zero");
  CHECK_THROWS_WITH(R("{{ 'a' + 1 }}"), "unsupported operand type(s) for +: 'str' and 'int'");
  CHECK_THROWS_WITH(R("{{ -'a' }}"), "bad operand type for unary -: 'str'");
  CHECK_THROWS_WITH(R("{{ '-' * 100000000 }}"), "repetition result too large");
}

TEST_CASE("comparisons and logic follow Python", "[vars][eval]") {
  CHECK(R("{{ 1 == 1.0 }} {{ true == 1 }} {{ 1 < a < 3 }} {{ [1, 2] < [1, 3] }}") ==
        "True True False True");
  CHECK(R("{{ 2 in l }} {{ 'World' in s }} {{ 'a' in d }} {{ 5 not in l }}") ==
        "True True True True");
  CHECK(R("{{ a and 'yes' }} {{ e or 'fallback' }} {{ not e }}") == "yes fallback True");
  CHECK(R("{{ n and nope }} {{ t or nope }}") == "None True");  // short-circuit
  CHECK_THROWS_WITH(R("{{ 'a' < 1 }}"), "'<' not supported between instances of 'str' and 'int'");
  CHECK_THROWS_WITH(R("{{ 1 in 5 }}"), "argument of type 'int' is not iterable");
  CHECK_THROWS_WITH(R("{{ 1 in 'abc' }}"),
                    "'in <string>' requires string as left operand, not int");
}

TEST_CASE("undefined variables are errors naming the variable", "[vars][eval][undefined]") {
  CHECK_THROWS_AS(R("{{ nope }}"), UndefinedVariableError);
  CHECK_THROWS_WITH(R("{{ nope }}"), "undefined variable 'nope'");
  CHECK_THROWS_WITH(R("{{ host.missing }}"),
                    "undefined variable 'host.missing': 'dict object' has no attribute 'missing'");
  CHECK_THROWS_WITH(R("{{ nope.x.y }}"), "undefined variable 'nope.x.y': 'nope' is undefined");
  CHECK_THROWS_WITH(R("{{ l[10] }}"),
                    "undefined variable 'l[10]': 'list object' has no element 10");
  CHECK_THROWS_WITH(R("{{ nope | upper }}"), "undefined variable 'nope'");
  CHECK_THROWS_WITH(R("{% if nope %}{% endif %}"), "undefined variable 'nope'");
  CHECK_THROWS_WITH(R("{{ loop.index }}"), "undefined variable 'loop.index': 'loop' is undefined");
}

TEST_CASE("defined, default and mandatory see undefined values", "[vars][eval][undefined]") {
  CHECK(R("{{ nope is defined }} {{ nope.x.y is defined }} {{ host.zzz is undefined }}") ==
        "False False True");
  CHECK(R("{{ nope | default('d') }} {{ nope.x | d(5) }} {{ a | default(5) }}") == "d 5 1");
  CHECK(R("{{ nope | default(nope2) | default('third') }}") == "third");
  CHECK(R("[{{ e | default('x') }}] {{ e | default('x', true) }} [{{ nope | default }}]") ==
        "[] x []");
  CHECK(R("{{ n | default('x') }}") == "None");
  CHECK_THROWS_WITH(R("{{ nope | mandatory }}"), "Mandatory variable 'nope' not defined.");
  CHECK_THROWS_WITH(R("{{ nope | mandatory('set nope') }}"), "set nope");
}

TEST_CASE("bug: an inline if without else printed an error instead of nothing",
          "[vars][eval][bugs]") {
  // Jinja (and so Ansible) renders `{{ '--force' if force }}` as "" when false.
  CHECK(R("[{{ '--force' if e }}]") == "[]");
  CHECK(R("[{{ '--force' if t }}]") == "[--force]");
  CHECK(R("{{ ('x' if e) | default('d') }}") == "d");
  CHECK(R("{{ ('x' if e) is defined }}") == "False");
  // Used in an operation it is still an error, as in Jinja.
  CHECK_THROWS_WITH(R("{{ ('x' if e) ~ 'y' }}"),
                    "the inline if-expression ''x' if e' evaluated to false and no else section "
                    "was defined");
}

TEST_CASE("for loops: items, keys, characters, loop variables, else, filter",
          "[vars][eval][loops]") {
  CHECK(R("{% for x in l %}{{ x }},{% endfor %}") == "3,1,2,");
  CHECK(R("{% for k in host %}{{ k }};{% endfor %}") == "name;port;");
  CHECK(R("{% for c in 'ab' %}{{ c }}.{% endfor %}") == "a.b.");
  CHECK(R("{% for x in [] %}{{ x }}{% else %}empty{% endfor %}") == "empty");
  CHECK(R("{% for x in l %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}"
          "{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.length }} {% endfor %}") ==
        "10TrueFalse323 21FalseFalse213 32FalseTrue103 ");
  CHECK(R("{% for x in l if x > 1 %}{{ loop.index }}/{{ loop.length }}={{ x }} {% endfor %}") ==
        "1/2=3 2/2=2 ");
  CHECK(R("{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }} {% endfor %}") == "3 7 ");
  CHECK(R("{% for k, v in host.items() %}{{ k }}={{ v }};{% endfor %}") == "name=web1;port=8080;");
  CHECK(R("{% for a in [9] %}{{ a }}{% endfor %}{{ a }}") == "91");
}

TEST_CASE("for loop errors use Python's words", "[vars][eval][loops][errors]") {
  CHECK_THROWS_WITH(R("{% for x in 5 %}{% endfor %}"), "'int' object is not iterable");
  CHECK_THROWS_WITH(R("{% for a, b in [[1, 2, 3]] %}{% endfor %}"),
                    "too many values to unpack (expected 2, got 3)");
  CHECK_THROWS_WITH(R("{% for k, v in host %}{% endfor %}"),
                    "cannot unpack 'str' into 2 loop variables (to loop over a dict's keys and "
                    "values, use dict.items())");
}

TEST_CASE("set assigns in the template and in the current loop body", "[vars][eval][set]") {
  CHECK(R("{% set x = a + 1 %}{{ x }}") == "2");
  CHECK(R("{% set a = 10 %}{{ a }}") == "10");
  CHECK(R("{% set x = 1 %}{% set x = x + 1 %}{{ x }}") == "2");
  CHECK(R("{% set x = 1 %}{% for i in l %}{% set x = i %}{% endfor %}{{ x }}") == "1");
  CHECK(R("{% if t %}{% set x = 5 %}{% endif %}{{ x }}") == "5");
  CHECK(R("{% set names = users | map(attribute='name') | list %}{{ names }}") ==
        "['alice', 'bob']");
}

TEST_CASE("whitespace control and trim_blocks render as in Ansible", "[vars][eval][whitespace]") {
  CHECK(R("{% if t %}\nyes\n{% endif %}\nend") == "yes\nend");
  CHECK(R("list:\n{% for x in l %}\n  - {{ x }}\n{% endfor %}\n") ==
        "list:\n  - 3\n  - 1\n  - 2\n");
  CHECK(R("x\n  {%- if t -%}\n  y\n  {%- endif -%}\n  z") == "xyz");
  CHECK(R("a   {{- 1 -}}   b") == "a1b");
  CHECK(R("  {% if t %}\n  yes\n  {% endif %}\n") == "    yes\n  ");
  CHECK(R("a\r\nb{{ 1 }}\r\n") == "a\nb1\n");
  CHECK(R("{{ a }}\n") == "1\n");
}

TEST_CASE("bug: tuple literals printed as lists", "[vars][eval][bugs]") {
  CHECK(R("{{ (1, 2) }} {{ (1,) }} {{ () }}") == "(1, 2) (1,) ()");
  CHECK(R("{% set p = (1, 'a') %}{{ p }}") == "(1, 'a')");
  CHECK(R("{{ 'p' ~ (1, 2) }}") == "p(1, 2)");
}

TEST_CASE("bug: d.items() rendered as a list of lists", "[vars][eval][bugs]") {
  CHECK(R("{{ d.items() }}") == "dict_items([('a', 1), ('b', [1, 2])])");
  CHECK(R("{{ d.keys() }} {{ d.values() }}") == "dict_keys(['a', 'b']) dict_values([1, [1, 2]])");
  CHECK(R("{{ {}.items() }}") == "dict_items([])");
  CHECK(R("{{ d.items() | list }}") == "[('a', 1), ('b', [1, 2])]");
  CHECK(R("{% for kv in host.items() %}{{ kv }};{% endfor %}") ==
        "('name', 'web1');('port', 8080);");
  CHECK(R("{{ host.items() | length }} {{ host.items() | string }}") ==
        "2 dict_items([('name', 'web1'), ('port', 8080)])");
  // As a value (a whole "{{ }}" string) it stays a list of pairs.
  CHECK(RenderString("{{ host.items() | list }}", kVars) ==
        Value::array({Value::array({"name", "web1"}), Value::array({"port", 8080})}));
}

TEST_CASE("RenderString keeps the value of a lone expression", "[vars][eval][native]") {
  CHECK(RenderString("{{ l }}", kVars) == Value({3, 1, 2}));
  CHECK(RenderString("  {{ a + 1 }} ", kVars) == 2);
  CHECK(RenderString("{{ a }}-{{ a }}", kVars) == "1-1");
  CHECK(RenderString("no markers {", kVars) == "no markers {");
  CHECK(RenderValue(Value{{"k", {"{{ a }}", "x"}}}, kVars) == Value{{"k", {1, "x"}}});
}

TEST_CASE("variables that are templates render when used", "[vars][eval][lazy]") {
  Value vars = {{"base", "/srv"},
                {"app_dir", "{{ base }}/app"},
                {"cfg", {{"path", "{{ app_dir }}/cfg"}}},
                {"broken", "{{ missing }}"},
                {"loop_a", "{{ loop_b }}"},
                {"loop_b", "{{ loop_a }}"}};
  CHECK(R("{{ app_dir }}", vars) == "/srv/app");
  CHECK(R("{{ cfg.path }}", vars) == "/srv/app/cfg");
  CHECK(R("{{ cfg }}", vars) == "{'path': '/srv/app/cfg'}");
  CHECK(R("{{ broken is defined }} {{ broken | default('d') }}", vars) == "False d");
  CHECK_THROWS_WITH(R("{{ loop_a }}", vars),
                    "recursive loop detected in template: 'loop_a' -> 'loop_b' -> 'loop_a'");
}

TEST_CASE("conditions use Jinja truthiness", "[vars][eval][conditions]") {
  CHECK(EvaluateCondition("a == 1 and l | length > 2", kVars));
  CHECK_FALSE(EvaluateCondition("e", kVars));
  CHECK(EvaluateCondition("'false'", kVars));
  CHECK(EvaluateCondition("{{ a }} == 1", kVars));
  CHECK_FALSE(IsTruthy(Value::array()));
  CHECK_FALSE(IsTruthy(0.0));
  CHECK(IsTruthy("0"));
  CHECK(EvaluateExpression("range(3) | list", kVars) == Value({0, 1, 2}));
}

TEST_CASE("range() follows Python and is bounded", "[vars][eval][functions]") {
  CHECK(R("{{ range(2, 5) | list }} {{ range(10, 0, -3) | list }}") == "[2, 3, 4] [10, 7, 4, 1]");
  CHECK_THROWS_WITH(R("{{ range(1, 2, 0) }}"), "range() arg 3 must not be zero");
  CHECK_THROWS_WITH(R("{{ range(1.5) }}"), "'float' object cannot be interpreted as an integer");
  CHECK_THROWS_WITH(R("{{ range(1000000) }}"), "range() is too big (more than 100000 items)");
}

TEST_CASE("bug: a template file without tags kept its CRLF newlines", "[vars][eval][bugs]") {
  CHECK(R("a\r\nb\rc\n") == "a\nb\nc\n");
  CHECK(R("a\r\n{{ 1 }}\r\n") == "a\n1\n");
  CHECK(RenderString("a\r\nb", kVars) == "a\r\nb");  // strings in playbooks are left alone
}
