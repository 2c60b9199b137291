// ansible_connection: local. Commands run on this machine under /bin/sh -c,
// rendered exactly as they would be for SSH, so both behave the same.
#pragma once

#include <string>

#include "remote/transport.h"

namespace deployctl::remote {

class LocalTransport : public Transport {
 public:
  explicit LocalTransport(std::string host_name);

  // /bin/sh -c RenderCommand(command) in its own process group, stdout and
  // stderr captured separately, stdin_data (or nothing) on stdin. On timeout
  // the whole process group is killed and the result has exit_status -1 and
  // err ending in "timed out after N s". A command killed by a signal has
  // exit_status -1.
  CommandResult Run(const Command& command) override;
  void WriteFile(const std::string& remote_path, const std::string& content,
                 unsigned mode) override;
  void UploadFile(const std::string& local_path, const std::string& remote_path,
                  unsigned mode) override;
  std::optional<std::string> ReadFile(const std::string& remote_path) override;
  RemoteFileInfo Stat(const std::string& remote_path) override;
  const std::string& host() const override { return host_; }
  // The port is already local: returns `remote_port`.
  int OpenLocalForward(const std::string& remote_host, int remote_port) override;

 private:
  std::string host_;
};

}  // namespace deployctl::remote
