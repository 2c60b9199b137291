#include "orchestrator/modules/command_module.h"

#include <stdexcept>

#include "orchestrator/modules/module_args.h"
#include "orchestrator/modules/shell_words.h"
#include "remote/remote_path.h"

namespace deployctl {
namespace {

using remote::Command;
using remote::CommandResult;

// Ansible strips trailing newlines from stdout and stderr.
std::string TrimNewlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

Value Lines(const std::string& text) {
  Value lines = Value::array();
  if (text.empty()) return lines;
  size_t start = 0;
  for (;;) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return lines;
}

std::optional<std::string> CommandText(const ModuleArgs& args) {
  auto raw = args.String("_raw_params");
  auto cmd = args.String("cmd");
  if (raw && cmd) args.Fail("give the command either free-form or as 'cmd', not both");
  return raw ? raw : cmd;
}

// The result data when creates/removes says there is nothing to do.
ModuleResult Skipped(Value cmd, const std::string& why) {
  ModuleResult result;
  result.msg = "skipped, since " + why;
  result.data = {{"cmd", std::move(cmd)}, {"rc", 0},
                 {"stdout", result.msg},  {"stdout_lines", Value::array({result.msg})},
                 {"stderr", ""},          {"stderr_lines", Value::array()},
                 {"changed", false}};
  return result;
}

// Everything after the command itself: chdir, creates/removes, stdin, run.
ModuleResult RunPrepared(ModuleContext& ctx, const ModuleArgs& args, Command command, Value cmd) {
  command.cwd = args.String("chdir").value_or("");
  if (auto creates = args.String("creates")) {
    if (ctx.host.Stat(remote::JoinPath(command.cwd, *creates)).exists) {
      return Skipped(std::move(cmd), *creates + " exists");
    }
  }
  if (auto removes = args.String("removes")) {
    if (!ctx.host.Stat(remote::JoinPath(command.cwd, *removes)).exists) {
      return Skipped(std::move(cmd), *removes + " does not exist");
    }
  }
  if (auto input = args.String("stdin")) {
    if (args.Bool("stdin_add_newline", true)) *input += '\n';
    command.stdin_data = std::move(*input);
  }
  const CommandResult ran = ctx.host.Run(command);

  ModuleResult result;
  result.changed = true;
  const std::string out = TrimNewlines(ran.out), err = TrimNewlines(ran.err);
  result.data = {
      {"cmd", std::move(cmd)},      {"rc", ran.exit_status},      {"stdout", out},  {"stderr", err},
      {"stdout_lines", Lines(out)}, {"stderr_lines", Lines(err)}, {"changed", true}};
  if (ctx.check_mode) {
    result.msg = "would run: " + RenderCommand(command);
  } else if (ran.exit_status == -1) {
    result.failed = true;
    result.msg = "killed by a signal or the connection was lost" + (err.empty() ? "" : ": " + err);
  } else if (!ran.ok()) {
    result.failed = true;
    result.msg = "non-zero return code (rc=" + std::to_string(ran.exit_status) + ")" +
                 (err.empty() ? "" : ": " + err);
  }
  return result;
}

const std::vector<ArgSpec> kCommonArgs = {{"cmd"},     {"chdir"}, {"creates"},
                                          {"removes"}, {"stdin"}, {"stdin_add_newline"}};

}  // namespace

std::vector<ArgSpec> CommandModule::args() const {
  std::vector<ArgSpec> specs = kCommonArgs;
  specs.push_back({"argv"});
  return specs;
}

ModuleResult CommandModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    auto text = CommandText(args);
    auto argv = args.StringList("argv");
    if (text && argv) args.Fail("give the command as a string or as 'argv', not both");
    std::vector<std::string> words;
    if (argv) {
      words = std::move(*argv);
    } else if (text) {
      try {
        words = SplitShellWords(*text);
      } catch (const std::invalid_argument& e) {
        args.Fail("cannot split the command line: " + std::string(e.what()));
      }
    }
    if (words.empty()) args.Fail("no command given");
    Value cmd = words;
    return RunPrepared(ctx, args, Command::Argv(std::move(words)), std::move(cmd));
  });
}

std::vector<ArgSpec> ShellModule::args() const {
  return kCommonArgs;
}

ModuleResult ShellModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    auto script = CommandText(args);
    if (!script || script->find_first_not_of(" \t\n") == std::string::npos) {
      args.Fail("no command given");
    }
    return RunPrepared(ctx, args, Command::Shell(*script), *script);
  });
}

}  // namespace deployctl
