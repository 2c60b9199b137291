// The `mode` argument of file, copy and template: octal ('0644', '644',
// or a YAML integer, where 0644 is already 420) or symbolic as chmod reads
// it ('u+x', 'u=rw,go=r', 'a-w', 'g+X').
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/modules/module_args.h"

namespace deployctl {

class FileMode {
 public:
  // nullopt when `value` is no mode.
  static std::optional<FileMode> Parse(const Value& value);

  // The permission bits after applying this mode to a file whose bits are
  // `current` (symbolic modes depend on them; octal ones do not).
  unsigned Apply(unsigned current, bool is_dir) const;

  bool symbolic() const { return !clauses_.empty(); }

 private:
  struct Clause {
    unsigned who = 0;  // mask of the bits the clause may touch
    char op = '=';
    std::string perms;
  };
  unsigned absolute_ = 0;
  std::vector<Clause> clauses_;
};

// The mode argument `name`, or nullopt when absent. Throws ModuleError
// "<module>: argument 'mode' must be an octal string like '0644', got 'rw'".
std::optional<FileMode> ModeArg(const ModuleArgs& args, std::string_view name = "mode");

// "0644".
std::string OctalMode(unsigned mode);

}  // namespace deployctl
