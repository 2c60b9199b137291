// Evaluates parsed templates against variables.
//
// Lookups borrow from the variables instead of copying them. A string in
// the variables that is itself a template ("{{ base_dir }}/app") is
// rendered when a lookup reaches it, as Ansible does; if it refers to an
// undefined variable it becomes undefined itself (so `| default` and
// `is defined` still work on it), and a chain of references that comes
// back to a variable being rendered is reported as a loop.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "orchestrator/core/value.h"
#include "orchestrator/vars/template_ast.h"

namespace deployctl::template_internal {

// State shared by one render and the variables it renders on the way.
struct RenderContext {
  explicit RenderContext(const Value& variables) : vars(variables) {}

  const Value& vars;
  std::vector<std::string> rendering;  // variables being rendered, outermost first
  // Variable strings already rendered, by address (vars do not change
  // during a render), so a loop does not re-render them per item.
  std::unordered_map<const Value*, Value> rendered;
};

// The template's text output.
std::string RenderText(const Template& tmpl, RenderContext& ctx);

// A template that is one "{{ expr }}" (whitespace around allowed) gives the
// expression's value; anything else its text.
Value RenderNative(const Template& tmpl, RenderContext& ctx);

// A bare expression's value (Template::expression).
Value EvaluateParsed(const Template& expression, RenderContext& ctx);

// Every template string inside `value` rendered (RenderNative), not the
// dict keys.
Value RenderNested(const Value& value, RenderContext& ctx);

// True if any string inside `value` contains template markers.
bool ContainsTemplates(const Value& value);

}  // namespace deployctl::template_internal
