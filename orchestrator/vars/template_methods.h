// Things called with parentheses: the Python methods Ansible users call on
// strings and dicts ('x'.startswith('y'), d.get('k', 1), d.items()) and the
// global range(). Lists have no methods here: Jinja's sandbox forbids the
// mutating ones and the others are rarely used.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orchestrator/core/value.h"

namespace deployctl::template_internal {

using KeywordArgs = std::vector<std::pair<std::string, Value>>;

// Throws TemplateError "'int object' has no attribute 'x'" for unknown
// methods, Python-style messages for bad arguments.
Value CallMethod(const Value& object, std::string_view name, const std::vector<Value>& args,
                 const KeywordArgs& keyword);

bool IsKnownFunction(std::string_view name);
Value CallFunction(std::string_view name, const std::vector<Value>& args,
                   const KeywordArgs& keyword);

}  // namespace deployctl::template_internal
