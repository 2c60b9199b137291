// A host reached over SSH with libssh: one session per host, opened by the
// constructor and reused for every command and file of the run.
#pragma once

#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <memory>
#include <mutex>
#include <string>

#include "remote/transport.h"

namespace deployctl::remote::ssh {

class PortForwarder;

class SshTransport : public Transport {
 public:
  // Connects, checks the host key strictly against known_hosts, and
  // authenticates (spec.private_key_file only, if set; else ssh-agent, then
  // the default keys). ~/.ssh/config applies to spec.address; values set in
  // `spec` win over it. Throws UnreachableError naming the host, its
  // address:port and the reason.
  explicit SshTransport(const ConnectionSpec& spec);
  ~SshTransport() override;
  SshTransport(const SshTransport&) = delete;
  SshTransport& operator=(const SshTransport&) = delete;

  // A new channel per command. Stdout and stderr are drained while stdin is
  // written, so outputs of any size cannot deadlock. On timeout the command
  // is sent SIGKILL (best effort: only the remote shell gets it), the
  // channel is closed, and the result has exit_status -1 and err ending in
  // "timed out after N s". Throws UnreachableError if the connection drops.
  CommandResult Run(const Command& command) override;
  // Over one SFTP session per host, opened on first use: a temp file
  // "<dir>/.<name>.deployctl-tmp-<random>" is written, chmod'ed and renamed
  // over the target. Throws RemoteFileError naming the host and path.
  void WriteFile(const std::string& remote_path, const std::string& content,
                 unsigned mode) override;
  // Streams the local file in chunks; never holds it in memory.
  void UploadFile(const std::string& local_path, const std::string& remote_path,
                  unsigned mode) override;
  std::optional<std::string> ReadFile(const std::string& remote_path) override;
  RemoteFileInfo Stat(const std::string& remote_path) override;
  const std::string& host() const override { return name_; }
  int OpenLocalForward(const std::string& remote_host, int remote_port) override;

  // "web1 (127.0.0.11:2222)", for messages.
  const std::string& label() const { return label_; }

 private:
  void Open(const ConnectionSpec& spec);
  void CheckHostKey(const ConnectionSpec& spec);
  void Authenticate(const ConnectionSpec& spec);
  sftp_session Sftp();
  std::string SftpError(const std::string& what, const std::string& path);
  [[noreturn]] void ThrowLost(const std::string& doing);
  template <typename Fill>
  void AtomicWrite(const std::string& remote_path, unsigned mode, Fill fill);

  std::string name_;
  std::string label_;
  ssh_session session_ = nullptr;
  sftp_session sftp_ = nullptr;
  // libssh sessions are not thread-safe; the port forwarder's thread shares
  // this one. Recursive: WriteFile may fall back to Run.
  std::recursive_mutex mu_;
  std::unique_ptr<PortForwarder> forwarder_;
};

}  // namespace deployctl::remote::ssh
