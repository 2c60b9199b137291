// Errors that reach the user. One top-level handler (orchestrator/main.cc)
// prints "deployctl: error: <what>" and exits with the error's code.
#pragma once

#include <stdexcept>
#include <string>

namespace deployctl {

// The process exit status. Named so that callers say what happened.
enum class ExitCode : int {
  kOk = 0,
  kTaskFailed = 1,   // a task failed on some host
  kUsage = 2,        // bad usage or configuration; nothing was contacted
  kUnreachable = 3,  // a host could not be reached
  kRefused = 4,      // refused: lock held, schema moved on, confirmation missing
};

// Where something came from in a user's file. line/column are 1-based;
// 0 means unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:column", dropping the parts that are unknown.
  std::string ToString() const;
};

// An error with the exit code it maps to.
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

// Bad input in a file the user wrote: "file:line:col: message".
class ConfigError : public Error {
 public:
  ConfigError(const SourceLocation& where, const std::string& message)
      : Error(ExitCode::kUsage, Format(where, message)), where_(where), message_(message) {}
  const SourceLocation& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  static std::string Format(const SourceLocation& where, const std::string& message);
  SourceLocation where_;
  std::string message_;
};

// A step that failed on a reachable host (a remote command, a file that
// could not be written): the task fails, the run goes on to its rescue.
class TaskError : public Error {
 public:
  explicit TaskError(const std::string& what) : Error(ExitCode::kTaskFailed, what) {}
};

// Bad command-line usage.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& what) : Error(ExitCode::kUsage, what) {}
};

}  // namespace deployctl
