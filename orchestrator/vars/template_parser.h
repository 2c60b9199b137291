// Builds the AST from tokens, with Jinja's grammar and precedence (lowest
// first): `x if c else y`, or, and, not, comparisons (== != < <= > >= in,
// not in), + -, ~, * / // %, **, unary - +, then postfix lookups and calls,
// then `| filter` and `is test` (so `not x is defined` is `not (x is
// defined)` and `a ~ b | upper` upper-cases only b).
//
// Filter, test and function names are checked here, so a typo fails before
// anything runs.
#pragma once

#include <string_view>

#include "orchestrator/vars/template_ast.h"

namespace deployctl::template_internal {

// A template: text, {{ }}, {% if/elif/else/endif %}, {% for/else/endfor %},
// {% set %}. Throws TemplateError with the location on syntax errors.
Template ParseTemplate(std::string_view source);

// A bare expression (sets Template::expression).
Template ParseExpression(std::string_view source);

}  // namespace deployctl::template_internal
