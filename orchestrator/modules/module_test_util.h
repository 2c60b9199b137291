// Test harness for modules: a FakeTransport host, and --check runs through
// the real CheckModeTransport wrapped around it.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "orchestrator/modules/module.h"
#include "remote/check_mode_transport.h"
#include "remote/fake/fake_transport.h"
#include "tests/support/temp_dir.h"

namespace deployctl::testing {

struct ModuleHarness {
  remote::FakeTransport host;
  Value vars = Value::object();
  std::string project_dir = "/nonexistent-project";
  std::vector<std::string> plan;  // what the last --check run would have changed

  ModuleResult Run(const Module& module, const Value& args) {
    ModuleContext ctx{host, args, vars, false, project_dir};
    return module.Run(ctx);
  }
  ModuleResult Check(const Module& module, const Value& args) {
    remote::CheckModeTransport check(host);
    ModuleContext ctx{check, args, vars, true, project_dir};
    ModuleResult result = module.Run(ctx);
    plan = check.plan();
    return result;
  }
};

}  // namespace deployctl::testing
