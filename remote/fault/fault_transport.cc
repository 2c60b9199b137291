#include "remote/fault/fault_transport.h"

#include <stdexcept>

namespace deployctl::remote::fault {
namespace {

const char* OpName(Op op) {
  switch (op) {
    case Op::kCommand:
      return "command";
    case Op::kWrite:
      return "write";
    case Op::kRead:
      return "read";
    case Op::kStat:
      return "stat";
  }
  return "?";
}

const char* EffectName(Effect effect) {
  switch (effect) {
    case Effect::kFail:
      return "failed";
    case Effect::kTimeout:
      return "timed out";
    case Effect::kLoseHost:
      return "lost the host";
  }
  return "?";
}

// What libssh's ssh_get_error says once the socket is gone.
constexpr const char* kDisconnected = "Socket error: disconnected";

}  // namespace

Fault Fault::FailCommand(int nth, std::string match, CommandResult result) {
  Fault f;
  f.op = Op::kCommand;
  f.nth = nth;
  f.match = std::move(match);
  f.result = std::move(result);
  return f;
}

Fault Fault::TimeOutCommand(int nth, std::string match) {
  Fault f;
  f.op = Op::kCommand;
  f.nth = nth;
  f.match = std::move(match);
  f.effect = Effect::kTimeout;
  return f;
}

Fault Fault::FailWrite(int nth, std::string reason) {
  Fault f;
  f.op = Op::kWrite;
  f.nth = nth;
  f.reason = std::move(reason);
  return f;
}

Fault Fault::FailRead(int nth, std::string reason) {
  Fault f;
  f.op = Op::kRead;
  f.nth = nth;
  f.reason = std::move(reason);
  return f;
}

Fault Fault::LoseHostOnCommand(int nth, std::string match, bool reach_host) {
  Fault f;
  f.op = Op::kCommand;
  f.nth = nth;
  f.match = std::move(match);
  f.effect = Effect::kLoseHost;
  f.reach_host = reach_host;
  return f;
}

Fault Fault::LoseHostOnWrite(int nth, bool reach_host) {
  Fault f;
  f.op = Op::kWrite;
  f.nth = nth;
  f.effect = Effect::kLoseHost;
  f.reach_host = reach_host;
  return f;
}

Fault Fault::LoseHostOnRead(int nth) {
  Fault f;
  f.op = Op::kRead;
  f.nth = nth;
  f.effect = Effect::kLoseHost;
  return f;
}

std::string FiredFault::Describe() const {
  std::string text = std::string(OpName(op)) + " #" + std::to_string(nth);
  if (!match.empty()) text += " matching '" + match + "'";
  return text + " " + EffectName(effect) + ": " + target;
}

FaultTransport::FaultTransport(Transport& inner, std::vector<Fault> faults) : inner_(inner) {
  for (auto& f : faults) Arm(std::move(f));
}

FaultTransport::FaultTransport(std::unique_ptr<Transport> inner, std::vector<Fault> faults)
    : owned_(std::move(inner)), inner_(*owned_) {
  for (auto& f : faults) Arm(std::move(f));
}

void FaultTransport::Arm(Fault fault) {
  if (fault.nth < 1) throw std::invalid_argument("a fault's nth counts from 1");
  if (fault.effect == Effect::kTimeout && fault.op != Op::kCommand) {
    throw std::invalid_argument("only commands time out (SFTP operations have no timeout)");
  }
  if (!fault.match.empty() && fault.op != Op::kCommand) {
    throw std::invalid_argument("'match' is for command faults only");
  }
  if (fault.op != Op::kCommand && fault.effect == Effect::kFail && fault.reason.empty()) {
    fault.reason = "permission denied";
  }
  armed_.push_back(Armed{std::move(fault)});
}

FaultTransport::Armed* FaultTransport::Next(Op op, const std::string& rendered_command) {
  Armed* firing = nullptr;
  for (Armed& a : armed_) {
    if (a.done || a.fault.op != op) continue;
    if (!a.fault.match.empty() && rendered_command.find(a.fault.match) == std::string::npos) {
      continue;
    }
    if (++a.seen == a.fault.nth && firing == nullptr) {
      a.done = true;
      firing = &a;
    }
  }
  return firing;
}

void FaultTransport::Record(const Armed& armed, const std::string& target) {
  fired_.push_back(
      FiredFault{armed.fault.op, armed.fault.effect, armed.fault.nth, armed.fault.match, target});
}

void FaultTransport::ThrowLost(const std::string& doing) {
  throw UnreachableError(host() + ": connection lost while " + doing + ": " + *lost_);
}

void FaultTransport::LoseHost(const Armed& armed, const std::string& doing) {
  lost_ = armed.fault.reason.empty() ? kDisconnected : armed.fault.reason;
  ThrowLost(doing);
}

void FaultTransport::CheckNotLost(const std::string& doing) {
  if (lost_) ThrowLost(doing);
}

CommandResult FaultTransport::Run(const Command& command) {
  CheckNotLost("opening a channel");
  const std::string rendered = RenderCommand(command);
  Armed* armed = Next(Op::kCommand, rendered);
  if (armed == nullptr) return inner_.Run(command);
  Record(*armed, rendered);
  CommandResult reached;
  if (armed->fault.reach_host) reached = inner_.Run(command);
  switch (armed->fault.effect) {
    case Effect::kFail:
      return armed->fault.result;
    case Effect::kTimeout: {
      const int seconds =
          command.timeout_seconds > 0 ? command.timeout_seconds : armed->fault.timeout_seconds;
      CommandResult timed_out;
      timed_out.exit_status = -1;
      timed_out.out = reached.out;
      timed_out.err = reached.err + "timed out after " + std::to_string(seconds) + " s";
      return timed_out;
    }
    case Effect::kLoseHost:
      LoseHost(*armed, "running a command");
  }
  return armed->fault.result;
}

void FaultTransport::WriteFile(const std::string& remote_path, const std::string& content,
                               unsigned mode) {
  CheckNotLost("write " + remote_path);
  Armed* armed = Next(Op::kWrite, "");
  if (armed == nullptr) return inner_.WriteFile(remote_path, content, mode);
  Record(*armed, remote_path);
  if (armed->fault.reach_host) inner_.WriteFile(remote_path, content, mode);
  if (armed->fault.effect == Effect::kLoseHost) LoseHost(*armed, "write " + remote_path);
  throw RemoteFileError(host() + ": cannot write " + remote_path + ": " + armed->fault.reason);
}

void FaultTransport::UploadFile(const std::string& local_path, const std::string& remote_path,
                                unsigned mode) {
  CheckNotLost("write " + remote_path);
  Armed* armed = Next(Op::kWrite, "");
  if (armed == nullptr) return inner_.UploadFile(local_path, remote_path, mode);
  Record(*armed, remote_path);
  if (armed->fault.reach_host) inner_.UploadFile(local_path, remote_path, mode);
  if (armed->fault.effect == Effect::kLoseHost) LoseHost(*armed, "write " + remote_path);
  throw RemoteFileError(host() + ": cannot write " + remote_path + ": " + armed->fault.reason);
}

std::optional<std::string> FaultTransport::ReadFile(const std::string& remote_path) {
  CheckNotLost("read " + remote_path);
  Armed* armed = Next(Op::kRead, "");
  if (armed == nullptr) return inner_.ReadFile(remote_path);
  Record(*armed, remote_path);
  if (armed->fault.effect == Effect::kLoseHost) LoseHost(*armed, "read " + remote_path);
  throw RemoteFileError(host() + ": cannot read " + remote_path + ": " + armed->fault.reason);
}

RemoteFileInfo FaultTransport::Stat(const std::string& remote_path) {
  CheckNotLost("stat " + remote_path);
  Armed* armed = Next(Op::kStat, "");
  if (armed == nullptr) return inner_.Stat(remote_path);
  Record(*armed, remote_path);
  if (armed->fault.effect == Effect::kLoseHost) LoseHost(*armed, "stat " + remote_path);
  throw RemoteFileError(host() + ": cannot stat " + remote_path + ": " + armed->fault.reason);
}

int FaultTransport::OpenLocalForward(const std::string& remote_host, int remote_port) {
  CheckNotLost("opening a forward to " + remote_host + ":" + std::to_string(remote_port));
  return inner_.OpenLocalForward(remote_host, remote_port);
}

}  // namespace deployctl::remote::fault
