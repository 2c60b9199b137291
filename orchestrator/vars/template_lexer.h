// Splits template text into tokens: literal text, the "{{ }}" / "{% %}"
// delimiters, and the expression tokens between them. The lexer, not the
// parser, finds where a tag ends, because "}}" may appear inside a string
// or a dict literal (`{{ {'a': {'b': 1}} }}`).
//
// It also does what Jinja does at this stage: drops {# comments #}, turns
// {% raw %}...{% endraw %} into text, applies whitespace control ("{%-",
// "-%}", "{{-", "-}}") and trim_blocks (the newline right after a block or
// comment tag is removed, as in Ansible's template module; "+%}" keeps it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace deployctl::template_internal {

enum class TokenKind {
  kText,        // literal template text, whitespace control applied
  kVarBegin,    // "{{"
  kVarEnd,      // "}}"
  kBlockBegin,  // "{%"
  kBlockEnd,    // "%}"
  kName,        // identifiers and keywords (and, or, not, in, is, if, ...)
  kInteger,
  kFloat,
  kString,
  kOperator,  // + - * / // % ** ~ == != < <= > >= = ( ) [ ] { } . , : |
  kEnd,       // end of input
};

struct Token {
  TokenKind kind;
  size_t offset = 0;         // where it starts in the source, for messages
  std::string_view text;     // its source text; for kText the text to output
  std::string string_value;  // kString: the literal with escapes resolved
  int64_t int_value = 0;     // kInteger
  double float_value = 0;    // kFloat
};

// A whole template. Throws TemplateError on unclosed tags, bad characters
// and bad literals.
std::vector<Token> LexTemplate(std::string_view source);

// A bare expression with no delimiters (a `when:` condition).
std::vector<Token> LexExpression(std::string_view source);

}  // namespace deployctl::template_internal
