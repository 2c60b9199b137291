#include "orchestrator/modules/debug_module.h"

#include "orchestrator/modules/module_args.h"
#include "orchestrator/vars/template.h"

namespace deployctl {
namespace {

std::string Text(const Value& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

ModuleResult DebugModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    if (args.Has("msg") && args.Has("var")) args.Fail("give 'msg' or 'var', not both");
    ModuleResult result;
    if (args.Has("var")) {
      const std::string var = args.RequiredString("var");
      Value value;
      try {
        value = EvaluateExpression(var, ctx.vars);
      } catch (const UndefinedVariableError&) {
        value = "VARIABLE IS NOT DEFINED!";
      } catch (const TemplateError& e) {
        args.Fail("cannot evaluate var '" + var + "': " + e.what());
      }
      result.data = {{var, value}};
      result.msg = var + ": " + Text(value);
    } else {
      const Value& msg = args.Get("msg");
      result.msg = msg.is_null() ? "Hello world!" : Text(msg);
      result.data = Value::object();
    }
    return result;
  });
}

}  // namespace deployctl
