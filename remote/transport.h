// The one interface to a host: run commands, move files. Implementations:
// remote/ssh (libssh), remote/local (this machine), and test fakes.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "orchestrator/core/error.h"
#include "remote/command.h"

namespace deployctl::remote {

// How to reach a host, from its connection variables
// (ansible_host, ansible_port, ansible_user, ansible_ssh_private_key_file,
// ansible_connection).
struct ConnectionSpec {
  std::string inventory_name;  // the name the inventory gives the host
  std::string address;         // ansible_host, else inventory_name
  int port = 0;                // 0: from ~/.ssh/config, else 22
  std::string user;            // empty: from ~/.ssh/config, else the local user
  std::string private_key_file;
  bool local = false;  // ansible_connection: local
  int connect_timeout_seconds = 10;
  // Where host keys are checked. Empty: $DEPLOYCTL_KNOWN_HOSTS if set, else
  // UserKnownHostsFile from ~/.ssh/config, else ~/.ssh/known_hosts.
  std::string known_hosts_file;
};

// A host that cannot be reached: connection refused, timeout, auth failed,
// unknown or changed host key. The message names the host and the reason.
class UnreachableError : public Error {
 public:
  explicit UnreachableError(const std::string& what) : Error(ExitCode::kUnreachable, what) {}
};

// A file operation that failed on a host that is reachable (permission
// denied, no such directory, disk full). The message names the host and path.
class RemoteFileError : public Error {
 public:
  explicit RemoteFileError(const std::string& what) : Error(ExitCode::kTaskFailed, what) {}
};

struct RemoteFileInfo {
  bool exists = false;
  bool is_dir = false;
  bool is_link = false;
  bool is_regular = false;
  unsigned mode = 0;  // permission bits
  unsigned long long size = 0;
  long long mtime = 0;
  std::string link_target;  // for links
};

// One connection to one host, reused for every task of a run. Methods are
// not thread-safe: one host is driven by one thread at a time.
class Transport {
 public:
  virtual ~Transport() = default;

  // Runs `command` and returns its exit status, stdout and stderr. A non-zero
  // exit is a result, not an error; a lost connection throws UnreachableError.
  // When command.timeout_seconds passes, the command is killed (best effort
  // over SSH) and the result has exit_status -1, the output so far, and err
  // ending in "timed out after N s".
  virtual CommandResult Run(const Command& command) = 0;

  // Writes `content` to `remote_path` (atomically: a temp file
  // "<dir>/.<name>.deployctl-tmp-<random>" in the same directory, then
  // rename) with permission `mode` exactly (not masked by the umask). Throws
  // RemoteFileError naming the host and path; no temp file is left behind.
  virtual void WriteFile(const std::string& remote_path, const std::string& content,
                         unsigned mode) = 0;

  // Uploads the local file `local_path` to `remote_path` the same way,
  // streaming it (any size).
  virtual void UploadFile(const std::string& local_path, const std::string& remote_path,
                          unsigned mode) = 0;

  // Reads a whole (small) remote file; nullopt if it does not exist.
  virtual std::optional<std::string> ReadFile(const std::string& remote_path) = 0;

  // lstat() of a remote path; exists == false if it does not exist.
  virtual RemoteFileInfo Stat(const std::string& remote_path) = 0;

  // The host's name, for messages.
  virtual const std::string& host() const = 0;

  // Makes `remote_host:remote_port`, as seen from the host, reachable from
  // this machine: returns a port on 127.0.0.1 whose connections are relayed
  // to it (over SSH: a direct-tcpip channel each, served by a background
  // thread that lives as long as the transport). The local transport returns
  // `remote_port` itself. Throws UnreachableError if the relay cannot start;
  // a connection the host refuses is closed at once.
  virtual int OpenLocalForward(const std::string& remote_host, int remote_port);
};

inline int Transport::OpenLocalForward(const std::string& remote_host, int remote_port) {
  throw UnreachableError(host() + ": this transport cannot forward " + remote_host + ":" +
                         std::to_string(remote_port));
}

}  // namespace deployctl::remote
