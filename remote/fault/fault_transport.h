// A Transport for failure-path tests (leveldb's fault-injection Env, for
// hosts): it wraps another transport (usually a FakeTransport) and passes
// every call through, except the calls a test arms a Fault for. Those fail
// the way the SSH transport (remote/ssh/ssh_transport.cc) fails:
//  - kFail: a command returns a non-zero CommandResult; a file operation
//    throws RemoteFileError "<host>: cannot <write|read|stat> <path>: <reason>",
//    as SshTransport::SftpError words it.
//  - kTimeout (commands only): the result has exit_status -1 and err ending
//    in "timed out after N s", as Transport::Run documents.
//  - kLoseHost: the call, and every later call on this transport, throws
//    UnreachableError "<host>: connection lost while <doing>: <reason>", as
//    SshTransport::ThrowLost words it.
//
// What counts as "Nth": calls are counted per fault, from 1, from the
// moment the fault is armed. A command fault counts Run calls (only those
// whose RenderCommand text contains `match`, when `match` is not empty); a
// write fault counts WriteFile and UploadFile calls together; a read fault
// counts ReadFile calls; a stat fault counts Stat calls. Calls made after
// the host is lost are not counted. Each fault fires at most once.
//
// By default a faulted call never reaches the wrapped transport (the
// command did not run, the file was not written). With `reach_host` the
// call is made first and then fails: "the mv ran, but its answer never came
// back", the case that leaves a host changed behind the controller's back.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "remote/transport.h"

namespace deployctl::remote::fault {

enum class Op { kCommand, kWrite, kRead, kStat };
enum class Effect { kFail, kTimeout, kLoseHost };

struct Fault {
  Op op = Op::kCommand;
  int nth = 1;        // 1-based
  std::string match;  // commands only: count only commands containing this
  Effect effect = Effect::kFail;
  bool reach_host = false;  // make the call on the wrapped transport first
  // kFail on a command: the result returned.
  CommandResult result{1, "", "injected failure"};
  // kFail on a file operation: the SFTP reason (default "permission
  // denied"); kLoseHost: ssh_get_error's text (default "Socket error: disconnected").
  std::string reason;
  // kTimeout: the N in "timed out after N s" when the command has no timeout of its own.
  int timeout_seconds = 30;

  // Shorthands for the common cases.
  static Fault FailCommand(int nth, std::string match = "",
                           CommandResult result = {1, "", "injected failure"});
  static Fault TimeOutCommand(int nth, std::string match = "");
  static Fault FailWrite(int nth, std::string reason = "permission denied");
  static Fault FailRead(int nth, std::string reason = "permission denied");
  static Fault LoseHostOnCommand(int nth, std::string match = "", bool reach_host = false);
  static Fault LoseHostOnWrite(int nth, bool reach_host = false);
  static Fault LoseHostOnRead(int nth);
};

// One fault that fired: which, on what call.
struct FiredFault {
  Op op;
  Effect effect;
  int nth;
  std::string match;
  std::string target;  // the rendered command, or the path

  // e.g. "command #2 matching 'mv -T' lost the host: mv -T -- a b".
  std::string Describe() const;
};

class FaultTransport : public Transport {
 public:
  // `inner` is borrowed and must outlive this object.
  explicit FaultTransport(Transport& inner, std::vector<Fault> faults = {});
  // Takes ownership of `inner` (for a runner's ConnectFn).
  explicit FaultTransport(std::unique_ptr<Transport> inner, std::vector<Fault> faults = {});

  // Arms one more fault; its count starts now.
  void Arm(Fault fault);

  const std::vector<FiredFault>& fired() const { return fired_; }
  bool lost() const { return lost_.has_value(); }

  CommandResult Run(const Command& command) override;
  void WriteFile(const std::string& remote_path, const std::string& content,
                 unsigned mode) override;
  void UploadFile(const std::string& local_path, const std::string& remote_path,
                  unsigned mode) override;
  std::optional<std::string> ReadFile(const std::string& remote_path) override;
  RemoteFileInfo Stat(const std::string& remote_path) override;
  const std::string& host() const override { return inner_.host(); }
  int OpenLocalForward(const std::string& remote_host, int remote_port) override;

 private:
  struct Armed {
    Fault fault;
    int seen = 0;
    bool done = false;
  };
  // The fault that fires on this call, if any (counting the call).
  Armed* Next(Op op, const std::string& rendered_command);
  void Record(const Armed& armed, const std::string& target);
  [[noreturn]] void ThrowLost(const std::string& doing);
  [[noreturn]] void LoseHost(const Armed& armed, const std::string& doing);
  void CheckNotLost(const std::string& doing);

  std::unique_ptr<Transport> owned_;
  Transport& inner_;
  std::vector<Armed> armed_;
  std::vector<FiredFault> fired_;
  std::optional<std::string> lost_;  // ssh_get_error's text once the host is lost
};

// Hands a transport the test keeps to something that wants to own one (a
// PlaybookRunner's ConnectFn): every call is forwarded to `inner`.
class BorrowedTransport : public Transport {
 public:
  explicit BorrowedTransport(Transport& inner) : inner_(inner) {}
  CommandResult Run(const Command& command) override { return inner_.Run(command); }
  void WriteFile(const std::string& p, const std::string& content, unsigned mode) override {
    inner_.WriteFile(p, content, mode);
  }
  void UploadFile(const std::string& l, const std::string& p, unsigned mode) override {
    inner_.UploadFile(l, p, mode);
  }
  std::optional<std::string> ReadFile(const std::string& p) override { return inner_.ReadFile(p); }
  RemoteFileInfo Stat(const std::string& p) override { return inner_.Stat(p); }
  const std::string& host() const override { return inner_.host(); }
  int OpenLocalForward(const std::string& h, int port) override {
    return inner_.OpenLocalForward(h, port);
  }

 private:
  Transport& inner_;
};

}  // namespace deployctl::remote::fault
