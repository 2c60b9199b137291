// The public templating API: parse, then evaluate with a fresh context.
#include "orchestrator/vars/template.h"

#include "orchestrator/vars/template_eval.h"
#include "orchestrator/vars/template_parser.h"
#include "orchestrator/vars/template_strings.h"

namespace deployctl {

using template_internal::HasTemplateMarkers;
using template_internal::RenderContext;

Value RenderString(std::string_view text, const Value& vars) {
  if (!HasTemplateMarkers(text)) return Value(std::string(text));  // the common case
  RenderContext ctx(vars);
  return template_internal::RenderNative(template_internal::ParseTemplate(text), ctx);
}

Value RenderValue(const Value& value, const Value& vars) {
  if (!template_internal::ContainsTemplates(value)) return value;
  RenderContext ctx(vars);  // shared, so variables are rendered once for all strings
  return template_internal::RenderNested(value, ctx);
}

std::string RenderTemplateText(std::string_view text, const Value& vars) {
  if (!HasTemplateMarkers(text)) {
    // Jinja writes "\n" for every newline of a template file, with or
    // without tags in it.
    if (text.find('\r') == std::string_view::npos) return std::string(text);
    std::string out;
    template_internal::AppendNormalizedNewlines(out, text);
    return out;
  }
  RenderContext ctx(vars);
  return template_internal::RenderText(template_internal::ParseTemplate(text), ctx);
}

Value EvaluateExpression(std::string_view expr, const Value& vars) {
  RenderContext ctx(vars);
  return template_internal::EvaluateParsed(template_internal::ParseExpression(expr), ctx);
}

bool EvaluateCondition(std::string_view expr, const Value& vars) {
  if (!HasTemplateMarkers(expr)) return IsTruthy(EvaluateExpression(expr, vars));
  // when: "{{ x }}" — Ansible renders it first and evaluates a string result
  // as a condition in its turn ("{{ a }} == 1" becomes "5 == 1").
  Value rendered = RenderString(expr, vars);
  if (rendered.is_string()) return IsTruthy(EvaluateExpression(rendered.get<std::string>(), vars));
  return IsTruthy(rendered);
}

}  // namespace deployctl
