// Typed access to a task's arguments, and the error type modules use to
// stop with a message. Argument errors name the module and the argument:
//   copy: argument 'mode' must be an octal string like '0644', got 'rw'
#pragma once

#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrator/core/error.h"
#include "orchestrator/core/value.h"
#include "orchestrator/modules/module.h"

namespace deployctl {

// Stops a module run; what() becomes the result's msg. Thrown for bad
// arguments and for remote steps that fail; never for unreachable hosts
// (UnreachableError passes through to the engine).
class ModuleError : public TaskError {
 public:
  using TaskError::TaskError;
};

// A failed result with `msg`.
ModuleResult Failure(std::string msg);

// Runs `body`, turning a ModuleError, or a transport's task-level error (a
// file operation that failed on a reachable host), into a failed result.
// Unreachable hosts still throw: the engine handles those.
template <class Body>
ModuleResult RunGuarded(Body&& body) {
  try {
    return body();
  } catch (const ModuleError& e) {
    return Failure(e.what());
  } catch (const Error& e) {
    if (e.code() != ExitCode::kTaskFailed) throw;
    return Failure(e.what());
  }
}

// "would create /x" in check mode, "created /x" otherwise.
inline std::string Say(bool check_mode, std::string done, std::string would) {
  return check_mode ? std::move(would) : std::move(done);
}

// How a value reads in a message: strings in single quotes, others as JSON.
std::string Describe(const Value& value);

class ModuleArgs {
 public:
  ModuleArgs(std::string_view module, const Value& args) : module_(module), args_(args) {}

  // Present and not null (`key: ~` counts as not given, as in Ansible).
  bool Has(std::string_view name) const;
  const Value& Get(std::string_view name) const;  // null when absent

  // Strings; numbers are accepted and written as text.
  std::optional<std::string> String(std::string_view name) const;
  std::string RequiredString(std::string_view name) const;
  // An argument with aliases (path, dest, name): the one given; an error
  // when none or more than one is given.
  std::string RequiredAlias(std::initializer_list<std::string_view> names) const;

  // true/false, yes/no, on/off, 1/0 (also as strings).
  bool Bool(std::string_view name, bool fallback) const;
  // Integers, also as strings of digits ("300").
  long long Int(std::string_view name, long long fallback) const;
  // A list of strings (numbers written as text).
  std::optional<std::vector<std::string>> StringList(std::string_view name) const;
  // One of `choices`, else `fallback` when absent.
  std::string Choice(std::string_view name, std::initializer_list<std::string_view> choices,
                     std::string_view fallback) const;

  // Throws ModuleError("<module>: <message>").
  [[noreturn]] void Fail(const std::string& message) const;
  // Throws "<module>: argument '<name>' must be <what>, got <value>".
  [[noreturn]] void FailType(std::string_view name, std::string_view what) const;

  std::string_view module() const { return module_; }

 private:
  std::string module_;
  const Value& args_;
};

}  // namespace deployctl
