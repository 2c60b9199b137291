// The module table: every module, written out once. No self-registration,
// so what exists is readable here and nothing depends on static-init order.
#include <algorithm>
#include <array>

#include "orchestrator/modules/command_module.h"
#include "orchestrator/modules/copy_module.h"
#include "orchestrator/modules/file_module.h"
#include "orchestrator/modules/module.h"
#include "orchestrator/modules/stat_module.h"
#include "orchestrator/modules/template_module.h"
#include "orchestrator/modules/wait_for_module.h"

namespace deployctl {
namespace {

const std::array<const Module*, 7>& AllModules() {
  static const CommandModule command;
  static const CopyModule copy;
  static const FileModule file;
  static const ShellModule shell;
  static const StatModule stat;
  static const TemplateModule template_module;
  static const WaitForModule wait_for;
  static const std::array<const Module*, 7> all = {&command, &copy, &file, &shell,
                                                   &stat, &template_module, &wait_for};
  return all;
}

}  // namespace

const Module* FindModule(std::string_view name) {
  constexpr std::string_view kBuiltin = "ansible.builtin.";
  if (name.starts_with(kBuiltin)) name.remove_prefix(kBuiltin.size());
  for (const Module* module : AllModules()) {
    if (module->name() == name) return module;
  }
  return nullptr;
}

std::vector<std::string> ModuleNames() {
  std::vector<std::string> names;
  for (const Module* module : AllModules()) names.emplace_back(module->name());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace deployctl
