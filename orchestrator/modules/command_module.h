// `command` runs a program with arguments, no shell: `command: ls -l /tmp`
// (split like sh splits words, without expansion), `cmd:` the same as an
// argument, or `argv: [ls, -l]`. `shell` runs its string with `sh -c`.
// Both take chdir, creates, removes, stdin and stdin_add_newline; both
// report changed whenever they ran.
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

class CommandModule : public Module {
 public:
  std::string_view name() const override { return "command"; }
  std::vector<ArgSpec> args() const override;
  bool free_form() const override { return true; }
  ModuleResult Run(ModuleContext& ctx) const override;
};

class ShellModule : public Module {
 public:
  std::string_view name() const override { return "shell"; }
  std::vector<ArgSpec> args() const override;
  bool free_form() const override { return true; }
  ModuleResult Run(ModuleContext& ctx) const override;
};

}  // namespace deployctl
