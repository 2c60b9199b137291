#include "orchestrator/modules/fail_module.h"

#include "orchestrator/modules/module_args.h"

namespace deployctl {

ModuleResult FailModule::Run(ModuleContext& ctx) const {
  const ModuleArgs args(name(), ctx.args);
  const Value& msg = args.Get("msg");
  std::string text = "Failed as requested from task";
  if (msg.is_string())
    text = msg.get<std::string>();
  else if (!msg.is_null())
    text = msg.dump();
  ModuleResult result = Failure(text);
  result.refused = args.Bool("refused", false);
  result.data = Value::object();
  return result;
}

}  // namespace deployctl
