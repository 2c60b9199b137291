#include "orchestrator/vars/template_lexer.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "orchestrator/vars/template.h"

using deployctl::TemplateError;
using deployctl::template_internal::LexExpression;
using deployctl::template_internal::LexTemplate;
using deployctl::template_internal::Token;
using deployctl::template_internal::TokenKind;

namespace {

// "kind:text" per token, for compact assertions.
std::vector<std::string> Kinds(const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const auto& t : tokens) {
    const char* kind = "";
    switch (t.kind) {
      case TokenKind::kText:
        kind = "text";
        break;
      case TokenKind::kVarBegin:
        kind = "{{";
        break;
      case TokenKind::kVarEnd:
        kind = "}}";
        break;
      case TokenKind::kBlockBegin:
        kind = "{%";
        break;
      case TokenKind::kBlockEnd:
        kind = "%}";
        break;
      case TokenKind::kName:
        kind = "name";
        break;
      case TokenKind::kInteger:
        kind = "int";
        break;
      case TokenKind::kFloat:
        kind = "float";
        break;
      case TokenKind::kString:
        kind = "str";
        break;
      case TokenKind::kOperator:
        kind = "op";
        break;
      case TokenKind::kEnd:
        kind = "end";
        break;
    }
    out.push_back(std::string(kind) + ":" + std::string(t.text));
  }
  return out;
}

std::string TextOf(std::string_view source) {
  std::string out;
  for (const auto& t : LexTemplate(source)) {
    if (t.kind == TokenKind::kText) out += t.text;
  }
  return out;
}

}  // namespace

TEST_CASE("lexer splits text, output tags and expression tokens", "[vars][lexer]") {
  CHECK(Kinds(LexTemplate("a {{ x.y | f(1, 'b') }} c")) ==
        std::vector<std::string>{"text:a ", "{{:{{", "name:x", "op:.", "name:y", "op:|", "name:f",
                                 "op:(", "int:1", "op:,", "str:'b'", "op:)", "}}:}}", "text: c",
                                 "end:"});
  CHECK(Kinds(LexTemplate("{% if a %}")) ==
        std::vector<std::string>{"{%:{%", "name:if", "name:a", "%}:%}", "end:"});
}

TEST_CASE("lexer reads two-character operators before one-character ones", "[vars][lexer]") {
  CHECK(Kinds(LexExpression("a // b ** c == d != e <= f >= g")) ==
        std::vector<std::string>{"name:a", "op://", "name:b", "op:**", "name:c", "op:==", "name:d",
                                 "op:!=", "name:e", "op:<=", "name:f", "op:>=", "name:g", "end:"});
}

TEST_CASE("lexer finds the end of a tag past braces in strings and dicts", "[vars][lexer]") {
  auto tokens = LexTemplate("{{ {'a': {'b': '}}'}} }}");
  CHECK(tokens.back().kind == TokenKind::kEnd);
  CHECK(tokens[tokens.size() - 2].kind == TokenKind::kVarEnd);
  CHECK(tokens[tokens.size() - 2].offset == 22);
}

TEST_CASE("lexer reads numbers as Python does", "[vars][lexer]") {
  auto t = LexExpression("1_000 0x1F 0o17 0b101 2.5 1e3 3E-2");
  CHECK(t[0].int_value == 1000);
  CHECK(t[1].int_value == 31);
  CHECK(t[2].int_value == 15);
  CHECK(t[3].int_value == 5);
  CHECK(t[4].kind == TokenKind::kFloat);
  CHECK(t[4].float_value == 2.5);
  CHECK(t[5].float_value == 1000.0);
  CHECK(t[6].float_value == 0.03);
  // After a dot a number is an index: a.0.1 is a[0][1], not a[0.1].
  CHECK(Kinds(LexExpression("a.0.1")) ==
        std::vector<std::string>{"name:a", "op:.", "int:0", "op:.", "int:1", "end:"});
}

TEST_CASE("lexer resolves Python string escapes and keeps unknown ones", "[vars][lexer]") {
  auto t = LexExpression(R"('a\tb\n\\ \x41\u00e9\101 \d')");
  CHECK(t[0].string_value ==
        "a\tb\n\\ A\xc3\xa9"
        "A \\d");
  CHECK(LexExpression(R"("it's")")[0].string_value == "it's");
  CHECK(LexExpression("'a\r\nb'")[0].string_value == "a\nb");
}

TEST_CASE("lexer drops comments and keeps raw blocks as text", "[vars][lexer]") {
  CHECK(TextOf("a{# hidden {{ x }} #}b") == "ab");
  CHECK(TextOf("{% raw %}{{ x }}{% endraw %}") == "{{ x }}");
  CHECK(TextOf("a {%- raw -%} {{ x }} {%- endraw -%} b") == "a{{ x }}b");
}

TEST_CASE("lexer applies whitespace control and trim_blocks", "[vars][lexer]") {
  CHECK(TextOf("a  {{- 1 -}}  b") == "ab");
  CHECK(TextOf("{% if a %}\nx\n{% endif %}\ny") == "x\ny");
  CHECK(TextOf("{% if a +%}\nx{% endif %}") == "\nx");
  CHECK(TextOf("{{ a }}\nx") == "\nx");  // no trim after an output tag
  CHECK(TextOf("a\n{# c #}\nb") == "a\nb");
}

TEST_CASE("lexer errors name the problem and the spot", "[vars][lexer][errors]") {
  CHECK_THROWS_WITH(LexTemplate("ab {{ x"),
                    "unclosed '{{' at column 4 in \"ab {{ x\" (expected '}}')");
  CHECK_THROWS_WITH(LexTemplate("{% if"), "unclosed '{%' at column 1 in \"{% if\" (expected '%}')");
  CHECK_THROWS_WITH(LexTemplate("a{# x"), "unclosed '{#' at column 2 in \"a{# x\" (expected '#}')");
  CHECK_THROWS_WITH(LexTemplate("{% raw %}x"),
                    "unclosed '{% raw %}' at column 1 in \"{% raw %}x\" (expected '{% endraw %}')");
  CHECK_THROWS_WITH(LexTemplate("{{ a $ b }}"),
                    "unexpected character '$' at column 6 in \"{{ a $ b }}\"");
  CHECK_THROWS_WITH(LexTemplate("{{ 'abc }}"),
                    "unterminated string literal at column 4 in \"{{ 'abc }}\"");
  CHECK_THROWS_WITH(LexExpression(R"('\x4')"),
                    "truncated escape sequence at column 2 in \"'\\x4'\"");
  CHECK_THROWS_AS(LexTemplate("{{ 'é' é }}"), TemplateError);
}

TEST_CASE("lexer error columns count characters, and lines in multi-line text",
          "[vars][lexer][errors]") {
  CHECK_THROWS_WITH(LexTemplate("héllo {{ a $ }}"),
                    "unexpected character '$' at column 12 in \"héllo {{ a $ }}\"");
  CHECK_THROWS_WITH(LexTemplate("line one\nline {{ two"),
                    "unclosed '{{' at line 2 column 6 in \"line {{ two\" (expected '}}')");
}
