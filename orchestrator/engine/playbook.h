// A playbook as loaded: plays of tasks, validated before anything connects.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/core/error.h"
#include "orchestrator/core/value.h"

namespace deployctl {

class Module;

struct Task {
  std::string name;  // as written, or "<module>" when unnamed
  SourceLocation where;
  const Module* module = nullptr;  // nullptr for a block
  std::string module_name;
  Value args = Value::object();   // unrendered; templated per host at run time
  std::vector<std::string> when;  // all must hold
  std::string register_as;
  bool run_once = false;
  std::string delegate_to;  // run on this inventory host instead (templated)
  int throttle = 0;         // at most this many hosts at once (0: --forks)
  bool ignore_errors = false;
  bool no_log = false;
  std::optional<std::string> changed_when;
  std::optional<std::string> failed_when;
  std::vector<std::string> tags;  // own tags plus those inherited from blocks/play
  Value vars = Value::object();   // task (and enclosing block) vars
  std::optional<Value> loop;      // `loop:` / `with_items:` (unrendered)
  std::string loop_var = "item";

  // A block: `block:` with optional `rescue:` and `always:`.
  bool is_block = false;
  std::vector<Task> block;
  std::vector<Task> rescue;
  std::vector<Task> always;
};

struct Play {
  std::string name;
  std::string hosts;  // an inventory host pattern
  SourceLocation where;
  Value vars = Value::object();
  std::vector<Task> tasks;
  // A failure on one host fails every host of the play at that task (so
  // their rescue sections run): a deploy is all hosts or none.
  bool any_errors_fatal = false;
};

struct Playbook {
  std::string path;
  std::string dir;  // relative paths in tasks resolve against it
  std::vector<Play> plays;
};

// Loads and validates a playbook: YAML syntax, known keywords, known
// modules, known module arguments. Errors are ConfigErrors with
// file:line:column, naming the field.
Playbook LoadPlaybook(const std::string& path);

}  // namespace deployctl
