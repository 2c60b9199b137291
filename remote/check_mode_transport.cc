#include "remote/check_mode_transport.h"

#include <cstdio>

#include "orchestrator/core/redact.h"

namespace deployctl::remote {

namespace {

std::string Mode(unsigned mode) {
  char text[16];
  std::snprintf(text, sizeof text, "%04o", mode & 07777);
  return text;
}

}  // namespace

CheckModeTransport::CheckModeTransport(Transport& real) : real_(real) {}

CommandResult CheckModeTransport::Run(const Command& command) {
  if (command.read_only) return real_.Run(command);
  std::string line = "run: " + Redact(RenderCommand(command));
  if (command.stdin_data) {
    line += " (" + std::to_string(command.stdin_data->size()) + " bytes on stdin)";
  }
  plan_.push_back(std::move(line));
  CommandResult result;
  result.exit_status = 0;
  return result;
}

void CheckModeTransport::WriteFile(const std::string& remote_path, const std::string& content,
                                   unsigned mode) {
  plan_.push_back("write: " + Redact(remote_path) + " (" + std::to_string(content.size()) +
                  " bytes, mode " + Mode(mode) + ")");
}

void CheckModeTransport::UploadFile(const std::string& local_path, const std::string& remote_path,
                                    unsigned mode) {
  plan_.push_back("upload: " + Redact(local_path) + " -> " + Redact(remote_path) + " (mode " +
                  Mode(mode) + ")");
}

std::optional<std::string> CheckModeTransport::ReadFile(const std::string& remote_path) {
  return real_.ReadFile(remote_path);
}

RemoteFileInfo CheckModeTransport::Stat(const std::string& remote_path) {
  return real_.Stat(remote_path);
}

int CheckModeTransport::OpenLocalForward(const std::string& remote_host, int remote_port) {
  return real_.OpenLocalForward(remote_host, remote_port);
}

}  // namespace deployctl::remote
