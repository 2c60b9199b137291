// The transport behind --check: reads go to the real host, changes are only
// written down. The engine has no "if (check)"; it just gets this transport.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "remote/transport.h"

namespace deployctl::remote {

class CheckModeTransport : public Transport {
 public:
  // `real` is borrowed and must outlive this object.
  explicit CheckModeTransport(Transport& real);

  // Commands marked read_only run for real; any other command is recorded as
  // "run: <rendered command>" and reported as a success with no output.
  CommandResult Run(const Command& command) override;
  // Recorded as "write: <path> (<n> bytes, mode 0644)"; nothing is written.
  void WriteFile(const std::string& remote_path, const std::string& content,
                 unsigned mode) override;
  // Recorded as "upload: <local> -> <path> (mode 0644)"; nothing is sent.
  void UploadFile(const std::string& local_path, const std::string& remote_path,
                  unsigned mode) override;
  std::optional<std::string> ReadFile(const std::string& remote_path) override;
  RemoteFileInfo Stat(const std::string& remote_path) override;
  const std::string& host() const override { return real_.host(); }
  // Forwards are for reading state (a database's schema version): real.
  int OpenLocalForward(const std::string& remote_host, int remote_port) override;

  // What would have been changed, in order. Secrets are already masked.
  const std::vector<std::string>& plan() const { return plan_; }

 private:
  Transport& real_;
  std::vector<std::string> plan_;
};

}  // namespace deployctl::remote
