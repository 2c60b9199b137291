#include "orchestrator/vars/template_parser.h"

#include <catch2/catch.hpp>

#include "orchestrator/vars/template.h"

using deployctl::EvaluateExpression;
using deployctl::RenderTemplateText;
using deployctl::TemplateError;
using deployctl::Value;
using deployctl::template_internal::Expr;
using deployctl::template_internal::Node;
using deployctl::template_internal::ParseExpression;
using deployctl::template_internal::ParseTemplate;

namespace {

std::string Render(std::string_view text, const Value& vars = Value::object()) {
  return RenderTemplateText(text, vars);
}

}  // namespace

TEST_CASE("parser builds statements and expressions", "[vars][parser]") {
  auto t =
      ParseTemplate("a{{ x }}{% if y %}b{% endif %}{% for i in l %}{% endfor %}{% set z = 1 %}");
  REQUIRE(t.nodes.size() == 5);
  CHECK(t.nodes[0].kind == Node::Kind::kText);
  CHECK(t.nodes[1].kind == Node::Kind::kOutput);
  CHECK(t.nodes[2].kind == Node::Kind::kIf);
  CHECK(t.nodes[3].kind == Node::Kind::kFor);
  CHECK(t.nodes[4].kind == Node::Kind::kSet);
  auto e = ParseExpression("a | upper is string");
  CHECK(e.expression->kind == Expr::Kind::kTest);
  CHECK(e.expression->operands[0]->kind == Expr::Kind::kFilter);
}

TEST_CASE("parser follows Jinja's precedence", "[vars][parser]") {
  Value vars = {{"a", 1}, {"b", "x"}};
  CHECK(EvaluateExpression("1 + 2 * 3", vars) == 7);
  CHECK(EvaluateExpression("2 ** 3 ** 2", vars) == 64);  // Jinja: left to right
  CHECK(EvaluateExpression("-2 ** 2", vars) == 4);       // Jinja: (-2) ** 2
  CHECK(EvaluateExpression("not a == 2", vars) == true);
  CHECK(EvaluateExpression("'a' ~ b | upper", vars) == "aX");
  CHECK(EvaluateExpression("1 + '2' | int", vars) == 3);
  CHECK(EvaluateExpression("not nope is defined", vars) == true);
  CHECK(EvaluateExpression("'y' if a else 'n'", vars) == "y");
}

TEST_CASE("parser takes a test's one argument without parentheses", "[vars][parser]") {
  CHECK(EvaluateExpression("9 is divisibleby 3", Value::object()) == true);
  CHECK(EvaluateExpression("9 is divisibleby 4 or true", Value::object()) == true);
  CHECK(EvaluateExpression("'a' if x is defined else 'b'", Value::object()) == "b");
}

TEST_CASE("syntax errors give the column and what was expected", "[vars][parser][errors]") {
  CHECK_THROWS_WITH(Render("{{ a | }}"),
                    "unexpected '}}' at column 8 in \"{{ a | }}\" (expected a filter name)");
  CHECK_THROWS_WITH(Render("{{ }}"),
                    "unexpected '}}' at column 4 in \"{{ }}\" (expected an expression)");
  CHECK_THROWS_WITH(Render("{{ a + }}"),
                    "unexpected '}}' at column 8 in \"{{ a + }}\" (expected an expression)");
  CHECK_THROWS_WITH(Render("{{ a b }}"),
                    "unexpected 'b' at column 6 in \"{{ a b }}\" (expected '}}')");
  CHECK_THROWS_WITH(Render("{{ (a + b) ) }}"),
                    "unexpected ')' at column 12 in \"{{ (a + b) ) }}\" (expected '}}')");
  CHECK_THROWS_WITH(Render("{{ [1, 2 3] }}"),
                    "unexpected '3' at column 10 in \"{{ [1, 2 3] }}\" (expected ',' or ']')");
  CHECK_THROWS_WITH(Render("{{ a. }}"),
                    "unexpected '}}' at column 7 in \"{{ a. }}\" (expected an attribute name)");
  CHECK_THROWS_WITH(Render("{{ a is }}"),
                    "unexpected '}}' at column 9 in \"{{ a is }}\" (expected a test name)");
  CHECK_THROWS_WITH(Render("{{ and }}"),
                    "unexpected 'and' at column 4 in \"{{ and }}\" (expected an expression)");
  CHECK_THROWS_WITH(
      EvaluateExpression("a ==", Value::object()),
      "unexpected end of expression at column 5 in \"a ==\" (expected an expression)");
}

TEST_CASE("syntax errors in multi-line templates give the line", "[vars][parser][errors]") {
  CHECK_THROWS_WITH(
      Render("line1\n{{ a +* b }}\nline3"),
      "unexpected '*' at line 2 column 7 in \"{{ a +* b }}\" (expected an expression)");
}

TEST_CASE("unknown filters and tests suggest the closest name", "[vars][parser][errors]") {
  CHECK_THROWS_WITH(
      Render("{{ a | uper }}"),
      "unknown filter 'uper' (did you mean 'upper'?) at column 8 in \"{{ a | uper }}\"");
  CHECK_THROWS_WITH(Render("{{ a | ansible.builtin.to_jsn }}"),
                    "unknown filter 'to_jsn' (did you mean 'to_json'?) at column 8 in "
                    "\"{{ a | ansible.builtin.to_jsn }}\"");
  CHECK_THROWS_WITH(Render("{{ a is defind }}"),
                    "unknown test 'defind' (did you mean 'defined'?) at column 9 in "
                    "\"{{ a is defind }}\"");
  CHECK_THROWS_WITH(Render("{{ a | zzzzzz }}"),
                    "unknown filter 'zzzzzz' at column 8 in \"{{ a | zzzzzz }}\"");
}

TEST_CASE("test arguments are checked when parsing", "[vars][parser][errors]") {
  CHECK_THROWS_WITH(Render("{{ a is divisibleby }}"),
                    "test 'divisibleby' takes 1 argument(s), 0 given at column 9 in "
                    "\"{{ a is divisibleby }}\"");
  CHECK_THROWS_WITH(Render("{{ a is defined(1) }}"),
                    "test 'defined' takes 0 argument(s), 1 given at column 9 in "
                    "\"{{ a is defined(1) }}\"");
  CHECK_THROWS_WITH(Render("{{ a is version('1', bogus=1) }}"),
                    "test 'version' got an unexpected keyword argument 'bogus' at column 9 in "
                    "\"{{ a is version('1', bogus=1) }}\"");
}

TEST_CASE("block errors name the tag", "[vars][parser][errors]") {
  CHECK_THROWS_WITH(Render("{% if a %}x"),
                    "unclosed '{% if %}' at column 1 in \"{% if a %}x\" (expected '{% endif %}')");
  CHECK_THROWS_WITH(Render("{% for x in l %}x"),
                    "unclosed '{% for %}' at column 1 in \"{% for x in l %}x\" (expected "
                    "'{% endfor %}')");
  CHECK_THROWS_WITH(Render("x{% endif %}"),
                    "{% endif %} without {% if %} at column 2 in \"x{% endif %}\"");
  CHECK_THROWS_WITH(Render("{% if a %}{% endfor %}"),
                    "unexpected '{% endfor %}' at column 11 in \"{% if a %}{% endfor %}\" "
                    "(expected '{% endif %}')");
  CHECK_THROWS_WITH(Render("{% frobnicate %}"),
                    "unknown tag 'frobnicate' at column 4 in \"{% frobnicate %}\"");
  CHECK_THROWS_WITH(Render("{% for x l %}{% endfor %}"),
                    "unexpected 'l' at column 10 in \"{% for x l %}{% endfor %}\" (expected 'in')");
  CHECK_THROWS_WITH(Render("{% set x 1 %}"),
                    "unexpected '1' at column 10 in \"{% set x 1 %}\" (expected '=')");
}

TEST_CASE("calls: unknown functions and non-callables are syntax errors",
          "[vars][parser][errors]") {
  CHECK_THROWS_WITH(Render("{{ nosuch(1) }}"),
                    "unknown function 'nosuch' at column 4 in \"{{ nosuch(1) }}\"");
  CHECK_THROWS_WITH(Render("{{ 1(2) }}"), "'1' is not callable at column 5 in \"{{ 1(2) }}\"");
  CHECK_THROWS_WITH(Render("{{ l | join(d=',', 'x') }}"),
                    "positional argument follows keyword argument at column 20 in "
                    "\"{{ l | join(d=',', 'x') }}\"");
}

TEST_CASE("deep nesting fails cleanly instead of overflowing the stack", "[vars][parser][errors]") {
  std::string deep = "{{ " + std::string(500, '(') + "1" + std::string(500, ')') + " }}";
  CHECK_THROWS_AS(Render(deep), TemplateError);
  std::string deep_not = "{{ " + std::string(0, ' ');
  for (int i = 0; i < 500; ++i) deep_not += "not ";
  deep_not += "1 }}";
  CHECK_THROWS_AS(Render(deep_not), TemplateError);
  std::string deep_if;
  for (int i = 0; i < 300; ++i) deep_if += "{% if 1 %}";
  CHECK_THROWS_AS(Render(deep_if), TemplateError);
}

TEST_CASE("bug: an unclosed bracket was reported as an unclosed '{{'", "[vars][parser][bugs]") {
  CHECK_THROWS_WITH(Render("{{ (a + b }}"),
                    "unclosed '(' at column 4 in \"{{ (a + b }}\" (expected ')')");
  CHECK_THROWS_WITH(Render("{{ [1, 2 }}"),
                    "unclosed '[' at column 4 in \"{{ [1, 2 }}\" (expected ']')");
  CHECK_THROWS_WITH(Render("{% if f(a %}x{% endif %}"),
                    "unclosed '(' at column 8 in \"{% if f(a %}x{% endif %}\" (expected ')')");
  CHECK_THROWS_WITH(Render("{{ a }"), "unclosed '{{' at column 1 in \"{{ a }\" (expected '}}')");
}
