// YAML as deployctl reads it: yaml-cpp nodes turned into Values with
// Ansible's (YAML 1.1) scalar typing, and parse errors as ConfigErrors.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "orchestrator/core/error.h"
#include "orchestrator/core/value.h"

namespace deployctl {

// Parses a YAML file. A syntax error throws ConfigError "file:line:col:
// <what yaml-cpp expected>"; a missing file throws ConfigError naming it.
YAML::Node LoadYamlFile(const std::string& path);

// Parses YAML text; `name` is used in error messages.
YAML::Node LoadYamlText(const std::string& text, const std::string& name);

// A node as a Value. Plain (unquoted) scalars are typed the way Ansible's
// YAML loader types them: true/false/yes/no/on/off (any case) are booleans,
// ~/null/empty are null, integers (decimal, 0x hex, 0o octal) and floats are
// numbers; quoted scalars stay strings.
Value YamlToValue(const YAML::Node& node);

// A plain scalar's typed value (the rules above), for INI values too.
Value TypedScalar(const std::string& text);

// Where a node starts in `file`.
SourceLocation LocationOf(const YAML::Node& node, const std::string& file);

}  // namespace deployctl
