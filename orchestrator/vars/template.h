// Jinja-style templating: "{{ expr }}" interpolation, `when:` conditions.
//
// Supported: variables, dotted and indexed lookups (a.b, a['b'], a[0]),
// string/number/bool/none literals, lists, comparison (== != < <= > >= in,
// not in), and/or/not, `is defined` / `is not defined` / `is none`,
// string concatenation with ~ and +, and the filters default(d), d,
// quote, basename, dirname, lower, upper, join(sep), int, bool, string,
// trim, length. In templates files also `{% if %}/{% elif %}/{% else %}/
// {% endif %}`, `{% for x in xs %}/{% endfor %}` and `{# comments #}`.
//
// An undefined variable is an error naming the variable, never "".
#pragma once

#include <string>
#include <string_view>

#include "orchestrator/core/error.h"
#include "orchestrator/core/value.h"

namespace deployctl {

// A template error. `what()` names the problem (e.g. "undefined variable
// 'db_name'"); the caller adds where the template came from.
class TemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An undefined variable or attribute was used: "undefined variable
// 'app.database.port': 'dict object' has no attribute 'port'".
class UndefinedVariableError : public TemplateError {
 public:
  using TemplateError::TemplateError;
};

// Renders a string. A string that is exactly one "{{ expr }}" (surrounding
// whitespace allowed) yields the expression's own value (a list stays a
// list, as in Ansible); otherwise the result is a string. Strings with no
// "{{" / "{%" are returned unchanged.
Value RenderString(std::string_view text, const Value& vars);

// Renders every string inside `value` (lists and dict values, recursively).
Value RenderValue(const Value& value, const Value& vars);

// Renders a template file's text (always a string result).
std::string RenderTemplateText(std::string_view text, const Value& vars);

// Evaluates a bare expression (no braces), e.g. a `when:` condition.
Value EvaluateExpression(std::string_view expr, const Value& vars);

// Evaluates a condition with Jinja truthiness (empty string/list/dict, 0,
// false, none are false).
bool EvaluateCondition(std::string_view expr, const Value& vars);

// Jinja truthiness of a value.
bool IsTruthy(const Value& value);

}  // namespace deployctl
