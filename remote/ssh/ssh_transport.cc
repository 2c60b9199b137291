#include "remote/ssh/ssh_transport.h"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "orchestrator/core/redact.h"
#include "remote/ssh/port_forward.h"
#include "remote/ssh/ssh_messages.h"
#include "remote/temp_path.h"

namespace deployctl::remote::ssh {

namespace {

constexpr size_t kChunk = 64 * 1024;

void InitLibssh() {
  static std::once_flag once;
  std::call_once(once, [] { ssh_init(); });
}

std::string Home() {
  const char* home = std::getenv("HOME");
  return home ? home : "";
}

std::string ExpandHome(const std::string& path) {
  if (path == "~" || path.rfind("~/", 0) == 0) return Home() + path.substr(1);
  return path;
}

// A string libssh allocated, freed with ssh_string_free_char.
std::string TakeString(char* value) {
  if (value == nullptr) return "";
  std::string copy = value;
  ssh_string_free_char(value);
  return copy;
}

std::string KeyTypeName(ssh_key key) {
  switch (ssh_key_type(key)) {
    case SSH_KEYTYPE_ED25519:
      return "ED25519";
    case SSH_KEYTYPE_RSA:
      return "RSA";
    case SSH_KEYTYPE_ECDSA_P256:
    case SSH_KEYTYPE_ECDSA_P384:
    case SSH_KEYTYPE_ECDSA_P521:
      return "ECDSA";
    default: {
      const char* name = ssh_key_type_to_char(ssh_key_type(key));
      return name ? name : "unknown";
    }
  }
}

std::string SftpStatusText(int code) {
  switch (code) {
    case SSH_FX_EOF:
      return "end of file";
    case SSH_FX_NO_SUCH_FILE:
      return "no such file or directory";
    case SSH_FX_PERMISSION_DENIED:
      return "permission denied";
    case SSH_FX_FAILURE:
      return "failed";
    case SSH_FX_BAD_MESSAGE:
      return "bad message";
    case SSH_FX_NO_CONNECTION:
      return "no connection";
    case SSH_FX_CONNECTION_LOST:
      return "connection lost";
    case SSH_FX_OP_UNSUPPORTED:
      return "operation not supported by the server";
    case SSH_FX_INVALID_HANDLE:
      return "invalid handle";
    case SSH_FX_NO_SUCH_PATH:
      return "no such path";
    case SSH_FX_FILE_ALREADY_EXISTS:
      return "file already exists";
    case SSH_FX_WRITE_PROTECT:
      return "write-protected";
    case SSH_FX_NO_MEDIA:
      return "no media";
    default:
      return "SFTP error " + std::to_string(code);
  }
}

// Frees a command's channel on every way out of Run (the lock is held then).
struct ChannelCloser {
  ssh_channel channel;
  ~ChannelCloser() {
    if (channel == nullptr) return;
    if (ssh_channel_is_open(channel)) ssh_channel_close(channel);
    ssh_channel_free(channel);
  }
};

struct SftpFileCloser {
  sftp_file file;
  ~SftpFileCloser() {
    if (file != nullptr) sftp_close(file);
  }
};

}  // namespace

SshTransport::SshTransport(const ConnectionSpec& spec) : name_(spec.inventory_name) {
  if (name_.empty()) name_ = spec.address;
  label_ = name_;
  InitLibssh();
  try {
    Open(spec);
    CheckHostKey(spec);
    Authenticate(spec);
  } catch (...) {
    if (session_ != nullptr) {
      ssh_disconnect(session_);
      ssh_free(session_);
      session_ = nullptr;
    }
    throw;
  }
  spdlog::debug("[{}] connected to {}", name_, label_);
}

SshTransport::~SshTransport() {
  forwarder_.reset();  // joins its thread before the session goes away
  std::lock_guard lock(mu_);
  if (sftp_ != nullptr) sftp_free(sftp_);
  if (session_ != nullptr) {
    ssh_disconnect(session_);
    ssh_free(session_);
  }
}

void SshTransport::Open(const ConnectionSpec& spec) {
  const std::string address = spec.address.empty() ? spec.inventory_name : spec.address;
  session_ = ssh_new();
  if (session_ == nullptr) throw UnreachableError(name_ + ": cannot create an SSH session");
  ssh_options_set(session_, SSH_OPTIONS_HOST, address.c_str());
  // libssh finds ~/.ssh through the passwd entry; follow $HOME instead, so
  // known_hosts, config and default keys come from the same place as every
  // other file the user named with "~".
  if (const std::string home = Home(); !home.empty()) {
    const std::string ssh_dir = home + "/.ssh";
    ssh_options_set(session_, SSH_OPTIONS_SSH_DIR, ssh_dir.c_str());
  }
  // ~/.ssh/config (and /etc/ssh/ssh_config) for this host, then the values
  // the inventory sets, which win.
  if (ssh_options_parse_config(session_, nullptr) != SSH_OK) {
    throw UnreachableError(name_ +
                           ": cannot read the ssh configuration: " + ssh_get_error(session_));
  }
  if (spec.port > 0) {
    unsigned int port = static_cast<unsigned int>(spec.port);
    ssh_options_set(session_, SSH_OPTIONS_PORT, &port);
  }
  if (!spec.user.empty()) ssh_options_set(session_, SSH_OPTIONS_USER, spec.user.c_str());
  // Without TCP_NODELAY every channel open waits ~40 ms on Nagle's
  // algorithm meeting delayed ACKs: 57 ms per command instead of 15.
  int nodelay = 1;
  ssh_options_set(session_, SSH_OPTIONS_NODELAY, &nodelay);
  long timeout = spec.connect_timeout_seconds > 0 ? spec.connect_timeout_seconds : 10;
  ssh_options_set(session_, SSH_OPTIONS_TIMEOUT, &timeout);
  std::string known_hosts = spec.known_hosts_file;
  if (known_hosts.empty()) {
    if (const char* env = std::getenv("DEPLOYCTL_KNOWN_HOSTS"); env != nullptr && *env) {
      known_hosts = env;
    }
  }
  if (!known_hosts.empty()) {
    known_hosts = ExpandHome(known_hosts);
    ssh_options_set(session_, SSH_OPTIONS_KNOWNHOSTS, known_hosts.c_str());
  }

  char* resolved = nullptr;
  std::string host = address;
  if (ssh_options_get(session_, SSH_OPTIONS_HOST, &resolved) == SSH_OK) host = TakeString(resolved);
  unsigned int port = 22;
  ssh_options_get_port(session_, &port);
  label_ = HostLabel(name_, host, static_cast<int>(port));

  if (ssh_connect(session_) != SSH_OK) {
    throw UnreachableError(label_ + ": cannot connect: " + ssh_get_error(session_));
  }
}

void SshTransport::CheckHostKey(const ConnectionSpec& /*spec*/) {
  ssh_key key = nullptr;
  if (ssh_get_server_publickey(session_, &key) != SSH_OK) {
    throw UnreachableError(label_ + ": cannot get the host key: " + ssh_get_error(session_));
  }
  std::unique_ptr<ssh_key_struct, void (*)(ssh_key)> key_owner(key, ssh_key_free);
  unsigned char* hash = nullptr;
  size_t hash_len = 0;
  std::string fingerprint = "(unknown fingerprint)";
  if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_len) == SSH_OK) {
    fingerprint = TakeString(ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_len));
    ssh_clean_pubkey_hash(&hash);
  }

  char* value = nullptr;
  std::string file = Home() + "/.ssh/known_hosts";
  if (ssh_options_get(session_, SSH_OPTIONS_KNOWNHOSTS, &value) == SSH_OK) file = TakeString(value);
  const bool is_default = file == Home() + "/.ssh/known_hosts";
  const std::string display = is_default ? "~/.ssh/known_hosts" : ShellQuote(file);
  std::string host;
  if (ssh_options_get(session_, SSH_OPTIONS_HOST, &value) == SSH_OK) host = TakeString(value);
  unsigned int port = 22;
  ssh_options_get_port(session_, &port);

  switch (ssh_session_is_known_server(session_)) {
    case SSH_KNOWN_HOSTS_OK:
      return;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      throw UnreachableError(ChangedHostKeyMessage(label_, KeyTypeName(key), fingerprint, host,
                                                   static_cast<int>(port), display, is_default));
    case SSH_KNOWN_HOSTS_NOT_FOUND:
    case SSH_KNOWN_HOSTS_UNKNOWN:
      throw UnreachableError(UnknownHostKeyMessage(label_, KeyTypeName(key), fingerprint, host,
                                                   static_cast<int>(port), display));
    case SSH_KNOWN_HOSTS_ERROR:
    default:
      throw UnreachableError(label_ + ": cannot check the host key against " + file + ": " +
                             ssh_get_error(session_));
  }
}

void SshTransport::Authenticate(const ConnectionSpec& spec) {
  char* value = nullptr;
  std::string user = "(unknown user)";
  if (ssh_options_get(session_, SSH_OPTIONS_USER, &value) == SSH_OK) user = TakeString(value);

  if (!spec.private_key_file.empty()) {
    const std::string path = ExpandHome(spec.private_key_file);
    if (::access(path.c_str(), R_OK) != 0) {
      throw UnreachableError(label_ + ": cannot read private key file " + path + ": " +
                             std::strerror(errno));
    }
    ssh_key key = nullptr;
    if (ssh_pki_import_privkey_file(path.c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK) {
      throw UnreachableError(label_ + ": cannot load private key file " + path +
                             ": not a private key, or protected by a passphrase (load such keys "
                             "into ssh-agent and leave ansible_ssh_private_key_file unset)");
    }
    int rc = ssh_userauth_publickey(session_, nullptr, key);
    ssh_key_free(key);
    if (rc == SSH_AUTH_SUCCESS) return;
    throw UnreachableError(label_ + ": authentication failed for user " + user + " with key " +
                           path + ": " + ssh_get_error(session_));
  }
  int rc = ssh_userauth_publickey_auto(session_, nullptr, nullptr);
  if (rc == SSH_AUTH_SUCCESS) return;
  throw UnreachableError(
      label_ + ": authentication failed for user " + user +
      " with ssh-agent and the default keys (~/.ssh/id_*): " + ssh_get_error(session_));
}

void SshTransport::ThrowLost(const std::string& doing) {
  const std::string state =
      ssh_is_connected(session_) ? "SSH error while " : "connection lost while ";
  throw UnreachableError(label_ + ": " + state + doing + ": " + ssh_get_error(session_));
}

CommandResult SshTransport::Run(const Command& command) {
  const std::string rendered = RenderCommand(command);
  spdlog::debug("[{}] $ {}", name_, Redact(rendered));

  std::unique_lock lock(mu_);
  ChannelCloser closer{ssh_channel_new(session_)};
  ssh_channel channel = closer.channel;
  if (channel == nullptr) ThrowLost("opening a channel");
  if (ssh_channel_open_session(channel) != SSH_OK) ThrowLost("opening a channel");
  if (ssh_channel_request_exec(channel, rendered.c_str()) != SSH_OK) {
    ThrowLost("starting a command");
  }

  const std::string no_input;
  const std::string& input = command.stdin_data ? *command.stdin_data : no_input;
  size_t input_pos = 0;
  bool eof_sent = false;

  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::seconds(command.timeout_seconds);
  const int fd = ssh_get_fd(session_);
  CommandResult result;
  std::string buffer(kChunk, '\0');
  while (true) {
    bool progress = false;
    // Stdin, never more than the window allows, so this never blocks while
    // the command waits for us to read its output.
    if (!eof_sent && input_pos < input.size()) {
      uint32_t window = ssh_channel_window_size(channel);
      if (window > 0) {
        size_t n = std::min({static_cast<size_t>(window), input.size() - input_pos, kChunk});
        int written =
            ssh_channel_write(channel, input.data() + input_pos, static_cast<uint32_t>(n));
        if (written == SSH_ERROR) {
          if (!ssh_is_connected(session_)) ThrowLost("sending a command's input");
          eof_sent = true;  // the command is gone and no longer reads
        } else {
          input_pos += static_cast<size_t>(written);
          progress = written > 0;
        }
      }
    }
    if (!eof_sent && input_pos >= input.size()) {
      ssh_channel_send_eof(channel);
      eof_sent = true;
    }
    for (int is_stderr = 0; is_stderr <= 1; ++is_stderr) {
      std::string& sink = is_stderr ? result.err : result.out;
      while (true) {
        int n = ssh_channel_read_nonblocking(channel, buffer.data(),
                                             static_cast<uint32_t>(buffer.size()), is_stderr);
        if (n == SSH_ERROR) ThrowLost("reading a command's output");
        if (n <= 0) break;
        sink.append(buffer.data(), static_cast<size_t>(n));
        progress = true;
      }
    }
    if (ssh_channel_is_eof(channel)) break;
    if (ssh_channel_is_closed(channel) && !progress) break;
    if (!ssh_is_connected(session_)) ThrowLost("running a command");
    if (progress) continue;

    int wait_ms = 10;
    if (command.timeout_seconds > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        ssh_channel_request_send_signal(channel, "KILL");
        result.exit_status = -1;
        result.err += "timed out after " + std::to_string(command.timeout_seconds) + " s";
        return result;
      }
      wait_ms = static_cast<int>(std::min<long long>(wait_ms, left.count() + 1));
    }
    // Wait for the socket without the lock so that the port forwarder's
    // thread can use the session meanwhile. Short: data the other thread
    // took off the socket lands in our channel's buffer without waking us.
    lock.unlock();
    pollfd pfd{fd, POLLIN, 0};
    ::poll(&pfd, 1, wait_ms);
    lock.lock();
  }
  result.exit_status = ssh_channel_get_exit_status(channel);
  return result;
}

sftp_session SshTransport::Sftp() {
  if (sftp_ != nullptr) return sftp_;
  sftp_session sftp = sftp_new(session_);
  if (sftp == nullptr) {
    if (!ssh_is_connected(session_)) ThrowLost("starting SFTP");
    throw RemoteFileError(
        label_ +
        ": cannot start SFTP (is the sftp subsystem enabled in sshd?): " + ssh_get_error(session_));
  }
  if (sftp_init(sftp) != SSH_OK) {
    std::string reason = ssh_get_error(session_);
    sftp_free(sftp);
    throw RemoteFileError(label_ + ": cannot start SFTP: " + reason);
  }
  sftp_ = sftp;
  return sftp_;
}

std::string SshTransport::SftpError(const std::string& what, const std::string& path) {
  if (!ssh_is_connected(session_)) ThrowLost(what + " " + path);
  int code = sftp_get_error(sftp_);
  std::string reason = SftpStatusText(code);
  if (code == SSH_FX_FAILURE || code == SSH_FX_OK) {
    if (const char* detail = ssh_get_error(session_); detail != nullptr && *detail) {
      reason += std::string(" (") + detail + ")";
    }
  }
  return label_ + ": cannot " + what + " " + path + ": " + reason;
}

template <typename Fill>
void SshTransport::AtomicWrite(const std::string& remote_path, unsigned mode, Fill fill) {
  sftp_session sftp = Sftp();
  const std::string tmp = TempPathFor(remote_path);
  {
    SftpFileCloser file{sftp_open(sftp, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600)};
    if (file.file == nullptr) throw RemoteFileError(SftpError("write", remote_path));
    try {
      fill(file.file);
      sftp_file handle = file.file;
      file.file = nullptr;
      if (sftp_close(handle) != SSH_OK) throw RemoteFileError(SftpError("write", remote_path));
      if (sftp_chmod(sftp, tmp.c_str(), mode) != SSH_OK) {
        throw RemoteFileError(SftpError("chmod", remote_path));
      }
    } catch (...) {
      if (file.file != nullptr) {
        sftp_close(file.file);
        file.file = nullptr;
      }
      if (ssh_is_connected(session_)) sftp_unlink(sftp, tmp.c_str());
      throw;
    }
  }
  if (sftp_rename(sftp, tmp.c_str(), remote_path.c_str()) == SSH_OK) return;
  // SFTP v3 rename refuses to replace an existing file, and libssh 0.10
  // cannot send OpenSSH's posix-rename extension. Fall back to mv (rename(2)
  // underneath), unless the target is a directory or a link to one: mv
  // would move the file into it.
  const std::string rename_error = SftpError("rename into", remote_path);
  RemoteFileInfo target = Stat(remote_path);
  bool into_directory = target.is_dir;
  if (target.is_link) {
    if (sftp_attributes followed = sftp_stat(sftp, remote_path.c_str())) {
      into_directory = (followed->permissions & S_IFMT) == S_IFDIR;
      sftp_attributes_free(followed);
    }
  }
  if (!target.exists || into_directory) {
    sftp_unlink(sftp, tmp.c_str());
    throw RemoteFileError(into_directory
                              ? label_ + ": cannot write " + remote_path + ": it is a directory"
                              : rename_error);
  }
  CommandResult mv = Run(Command::Argv({"mv", "-f", "--", tmp, remote_path}));
  if (!mv.ok()) {
    sftp_unlink(sftp, tmp.c_str());
    throw RemoteFileError(label_ + ": cannot rename into " + remote_path + ": " + mv.err);
  }
}

void SshTransport::WriteFile(const std::string& remote_path, const std::string& content,
                             unsigned mode) {
  std::lock_guard lock(mu_);
  AtomicWrite(remote_path, mode, [&](sftp_file file) {
    size_t pos = 0;
    while (pos < content.size()) {
      size_t n = std::min(kChunk, content.size() - pos);
      ssize_t written = sftp_write(file, content.data() + pos, n);
      if (written <= 0) throw RemoteFileError(SftpError("write", remote_path));
      pos += static_cast<size_t>(written);
    }
  });
}

void SshTransport::UploadFile(const std::string& local_path, const std::string& remote_path,
                              unsigned mode) {
  int source = ::open(local_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (source < 0) {
    throw RemoteFileError(label_ + ": cannot upload " + local_path + ": " + std::strerror(errno));
  }
  std::unique_ptr<int, void (*)(int*)> source_owner(&source, [](int* fd) { ::close(*fd); });
  std::lock_guard lock(mu_);
  AtomicWrite(remote_path, mode, [&](sftp_file file) {
    std::string chunk(kChunk, '\0');
    while (true) {
      ssize_t n = ::read(source, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        throw RemoteFileError(label_ + ": cannot upload " + local_path + ": " +
                              std::strerror(errno));
      }
      if (n == 0) break;
      size_t pos = 0;
      while (pos < static_cast<size_t>(n)) {
        ssize_t written = sftp_write(file, chunk.data() + pos, static_cast<size_t>(n) - pos);
        if (written <= 0) throw RemoteFileError(SftpError("write", remote_path));
        pos += static_cast<size_t>(written);
      }
    }
  });
}

std::optional<std::string> SshTransport::ReadFile(const std::string& remote_path) {
  std::lock_guard lock(mu_);
  sftp_session sftp = Sftp();
  SftpFileCloser file{sftp_open(sftp, remote_path.c_str(), O_RDONLY, 0)};
  if (file.file == nullptr) {
    if (ssh_is_connected(session_) && sftp_get_error(sftp) == SSH_FX_NO_SUCH_FILE) {
      return std::nullopt;
    }
    throw RemoteFileError(SftpError("read", remote_path));
  }
  std::string content;
  std::string buffer(kChunk, '\0');
  while (true) {
    ssize_t n = sftp_read(file.file, buffer.data(), buffer.size());
    if (n < 0) throw RemoteFileError(SftpError("read", remote_path));
    if (n == 0) break;
    content.append(buffer.data(), static_cast<size_t>(n));
  }
  return content;
}

RemoteFileInfo SshTransport::Stat(const std::string& remote_path) {
  std::lock_guard lock(mu_);
  sftp_session sftp = Sftp();
  RemoteFileInfo info;
  sftp_attributes attributes = sftp_lstat(sftp, remote_path.c_str());
  if (attributes == nullptr) {
    if (ssh_is_connected(session_) && sftp_get_error(sftp) == SSH_FX_NO_SUCH_FILE) return info;
    throw RemoteFileError(SftpError("stat", remote_path));
  }
  const unsigned type = attributes->permissions & S_IFMT;
  info.exists = true;
  info.is_dir = type == S_IFDIR || attributes->type == SSH_FILEXFER_TYPE_DIRECTORY;
  info.is_link = type == S_IFLNK || attributes->type == SSH_FILEXFER_TYPE_SYMLINK;
  info.is_regular = type == S_IFREG || attributes->type == SSH_FILEXFER_TYPE_REGULAR;
  info.mode = attributes->permissions & 07777;
  info.size = attributes->size;
  info.mtime = attributes->mtime64 != 0 ? static_cast<long long>(attributes->mtime64)
                                        : static_cast<long long>(attributes->mtime);
  sftp_attributes_free(attributes);
  if (info.is_link) {
    char* target = sftp_readlink(sftp, remote_path.c_str());
    if (target == nullptr) throw RemoteFileError(SftpError("read the link", remote_path));
    info.link_target = TakeString(target);
  }
  return info;
}

int SshTransport::OpenLocalForward(const std::string& remote_host, int remote_port) {
  std::lock_guard lock(mu_);
  if (!forwarder_) forwarder_ = std::make_unique<PortForwarder>(session_, mu_, label_);
  return forwarder_->Add(remote_host, remote_port);
}

}  // namespace deployctl::remote::ssh
