// Syntax errors point at the offending spot so that a user can find it in
// a long task file: `unexpected '}}' at column 8 in "{{ a | }}" (expected
// a filter name)`. Multi-line templates also give the line and quote only it.
#pragma once

#include <cstddef>
#include <string_view>

#include "orchestrator/vars/template.h"

namespace deployctl::template_internal {

// `what` at `offset` of `source`; `expected` (optional) says what would
// have been valid there.
TemplateError SyntaxError(std::string_view source, size_t offset, std::string_view what,
                          std::string_view expected = {});

}  // namespace deployctl::template_internal
