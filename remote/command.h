// A remote command is data until one quoting function renders it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace deployctl::remote {

// What to run on a host. Either `argv` (quoted argument by argument) or
// `shell` (a raw shell string, used only by the `shell` module and by
// workflow steps that need a pipeline; build it with ShellQuote).
struct Command {
  std::vector<std::string> argv;
  std::optional<std::string> shell;  // raw shell script, run with sh -c
  std::string cwd;                   // empty: the login directory
  std::map<std::string, std::string> env;
  std::optional<std::string> stdin_data;  // sent to the command's stdin, then EOF
  int timeout_seconds = 0;                // 0: no limit
  // True for probes that only read state (stat, readlink, sha256sum). In
  // --check mode these still run; every other command is only recorded.
  bool read_only = false;

  static Command Argv(std::vector<std::string> args) {
    Command c;
    c.argv = std::move(args);
    return c;
  }
  static Command Shell(std::string script) {
    Command c;
    c.shell = std::move(script);
    return c;
  }
};

struct CommandResult {
  int exit_status = -1;  // -1: killed by a signal or lost
  std::string out;
  std::string err;
  bool ok() const { return exit_status == 0; }
};

// POSIX-shell quoting of one word: safe words as they are, anything else in
// single quotes with ' written as '\''.
std::string ShellQuote(const std::string& word);

// Throws TaskError "<what> failed (rc=N): <stderr>" when `result` is not ok:
// for a step whose failure ends the task.
void CheckRan(const CommandResult& result, const std::string& what);

// The full /bin/sh command line for `command`: cd, env, then the argv
// (quoted) or the shell script (as `sh -c '<script>'`).
std::string RenderCommand(const Command& command);

}  // namespace deployctl::remote
