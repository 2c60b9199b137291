#include "orchestrator/modules/set_fact_module.h"

#include <regex>

#include "orchestrator/modules/module_args.h"

namespace deployctl {

ModuleResult SetFactModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    if (!ctx.args.is_object()) args.Fail("arguments must be a mapping of variable: value");
    static const std::regex kName("[A-Za-z_][A-Za-z0-9_]*");
    Value facts = Value::object();
    for (const auto& [key, value] : ctx.args.items()) {
      if (key == "cacheable") continue;
      if (!std::regex_match(key, kName)) {
        args.Fail("'" + key +
                  "' is not a valid variable name (letters, digits and '_', "
                  "not starting with a digit)");
      }
      facts[key] = value;
    }
    if (facts.empty()) args.Fail("no variables given");
    ModuleResult result;
    result.data = {{"ansible_facts", facts}};
    return result;
  });
}

}  // namespace deployctl
