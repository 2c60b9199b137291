#include "remote/command.h"

#include <stdexcept>

#include "orchestrator/core/error.h"

namespace deployctl::remote {

namespace {

bool IsSafeChar(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
    return true;
  }
  switch (c) {
    case '@':
    case '%':
    case '+':
    case '=':
    case ':':
    case ',':
    case '.':
    case '/':
    case '_':
    case '-':
      return true;
    default:
      return false;
  }
}

bool IsEnvName(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string SingleQuote(const std::string& word) {
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

}  // namespace

std::string ShellQuote(const std::string& word) {
  bool safe = !word.empty();
  for (char c : word) {
    if (!IsSafeChar(c)) {
      safe = false;
      break;
    }
  }
  return safe ? word : SingleQuote(word);
}

std::string RenderCommand(const Command& command) {
  if (!command.shell && command.argv.empty()) {
    throw std::invalid_argument("RenderCommand: a command needs an argv or a shell script");
  }
  std::string out;
  if (!command.cwd.empty()) {
    // "cd -x" would be read as an option.
    out += command.cwd[0] == '-' ? "cd -- " : "cd ";
    out += ShellQuote(command.cwd) + " && ";
  }
  if (!command.env.empty()) {
    out += "env";
    for (const auto& [name, value] : command.env) {
      if (!IsEnvName(name)) {
        throw std::invalid_argument("RenderCommand: invalid environment variable name '" + name +
                                    "'");
      }
      out += ' ' + ShellQuote(name + '=' + value);
    }
    out += ' ';
  }
  if (command.shell) {
    out += "sh -c " + ShellQuote(*command.shell);
    return out;
  }
  for (size_t i = 0; i < command.argv.size(); ++i) {
    const std::string& word = command.argv[i];
    if (i > 0) out += ' ';
    // An unquoted first word with '=' would be a variable assignment, not
    // the program to run.
    if (i == 0 && word.find('=') != std::string::npos) {
      out += SingleQuote(word);
    } else {
      out += ShellQuote(word);
    }
  }
  return out;
}

void CheckRan(const CommandResult& result, const std::string& what) {
  if (result.ok()) return;
  std::string err = result.err;
  while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
  throw TaskError(what + " failed (rc=" + std::to_string(result.exit_status) + ")" +
                  (err.empty() ? "" : ": " + err));
}

}  // namespace deployctl::remote
