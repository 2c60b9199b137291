#include "orchestrator/cli/extra_vars.h"

#include <regex>

#include "orchestrator/core/error.h"
#include "orchestrator/yaml/yaml_value.h"

namespace deployctl {

void AddExtraVars(const std::string& argument, Value& vars) {
  if (argument.empty()) throw UsageError("empty extra variable argument");
  if (argument[0] == '@') {
    Value loaded = YamlToValue(LoadYamlFile(argument.substr(1)));
    if (!loaded.is_object())
      throw UsageError("-e " + argument + ": expected a mapping of variables");
    vars.update(loaded);
    return;
  }
  if (argument[0] == '{') {
    Value loaded = YamlToValue(LoadYamlText(argument, "-e argument"));
    if (!loaded.is_object()) throw UsageError("-e " + argument + ": expected a mapping");
    vars.update(loaded);
    return;
  }
  // Several KEY=VALUE pairs may share one -e argument: a space followed by
  // NAME= starts the next pair, any other space belongs to the value.
  static const std::regex kPair(R"(^([A-Za-z_][A-Za-z0-9_]*)=(.*?)(?= [A-Za-z_][A-Za-z0-9_]*=|$))");
  std::string rest = argument;
  while (!rest.empty()) {
    std::smatch m;
    if (!std::regex_search(rest, m, kPair)) {
      throw UsageError("bad extra variable '" + rest +
                       "': expected KEY=VALUE (KEY a variable name), a JSON object or @FILE");
    }
    vars[m[1].str()] = m[2].str();
    rest = m.suffix().str();
    if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
  }
}

}  // namespace deployctl
