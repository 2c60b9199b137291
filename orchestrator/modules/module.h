// A module does one kind of work on one host (command, file, copy, ...).
// Modules are stateless singletons; everything a run needs is in the
// context. Modules report `changed` truthfully: they look before they touch.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "orchestrator/core/value.h"
#include "remote/transport.h"

namespace deployctl {

struct ModuleContext {
  // The host. In --check mode this is a transport that runs read-only
  // commands (Command::read_only) and reads, and records everything else
  // without doing it, so most of a module runs unchanged. `check_mode` is
  // for "would" in messages, and for the few places where the plan cannot
  // be observed: a directory that exists only in the plan, a wait or a
  // health check that would poll something never started.
  remote::Transport& host;
  const Value& args;  // the task's arguments, already templated
  const Value& vars;  // the host's variables (for `template`)
  bool check_mode = false;
  // Directory that relative local paths (copy src, template src) resolve
  // against: the playbook's directory. `template` looks in
  // <project_dir>/templates/ first, then <project_dir>/.
  std::string project_dir;
};

struct ModuleResult {
  bool changed = false;
  bool failed = false;
  // Failed because the run was refused (lock held, schema moved on): the
  // command exits with ExitCode::kRefused instead of kTaskFailed.
  bool refused = false;
  std::string msg;               // shown on failure, and with -v
  Value data = Value::object();  // what `register:` stores (rc, stdout, stat, ...)
};

struct ArgSpec {
  std::string name;
  bool required = false;
};

class Module {
 public:
  virtual ~Module() = default;
  virtual std::string_view name() const = 0;
  // Accepted arguments; anything else is rejected when the playbook loads.
  virtual std::vector<ArgSpec> args() const = 0;
  // True for modules that take a free-form string (`command: ls -l`),
  // which arrives as args["_raw_params"].
  virtual bool free_form() const { return false; }
  // True for modules whose argument names are data (set_fact): the loader
  // does not check them against args().
  virtual bool accepts_any_args() const { return false; }
  virtual ModuleResult Run(ModuleContext& ctx) const = 0;
};

// The module called `name` (also as "ansible.builtin.<name>"), or nullptr.
const Module* FindModule(std::string_view name);

// Every module name, sorted, for "did you mean" and docs.
std::vector<std::string> ModuleNames();

}  // namespace deployctl
