// `set_fact`: sets host variables for the rest of the run, as Ansible's.
//   - set_fact: {previous_release: "{{ switch.previous }}", migrated: true}
// Every argument (already templated) becomes a variable; `cacheable` is
// accepted and ignored (there is no fact cache). Returns
// data.ansible_facts = the variables; the engine stores ansible_facts into
// the host's variables. Never changed. Names must be valid variable names.
//
// set_fact takes any argument name, so the playbook loader must not check
// its arguments against args() (accepts_any_args() says so).
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

class SetFactModule : public Module {
 public:
  std::string_view name() const override { return "set_fact"; }
  std::vector<ArgSpec> args() const override { return {{"cacheable"}}; }
  // Every key is a variable to set.
  bool accepts_any_args() const override { return true; }
  ModuleResult Run(ModuleContext& ctx) const override;
};

}  // namespace deployctl
