#include "remote/local/local_transport.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "orchestrator/core/redact.h"
#include "remote/temp_path.h"

extern char** environ;

namespace deployctl::remote {

namespace {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  int get() const { return fd_; }
  int* out() { return &fd_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

std::string Errno(int err) {
  return std::strerror(err);
}

// Blocks SIGPIPE on this thread while a command's stdin is written, so a
// command that exits without reading makes write() fail with EPIPE instead
// of killing deployctl. Any SIGPIPE raised meanwhile is swallowed.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlock() {
    if (!was_pending_) {
      const timespec zero{0, 0};
      while (sigtimedwait(&pipe_, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t pipe_{};
  sigset_t old_{};
  bool was_pending_ = false;
};

void WriteAll(int fd, const char* data, size_t size, const std::string& what) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw RemoteFileError(what + ": " + Errno(errno));
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

// Writes a temp file beside `path` with `fill`, sets `mode`, renames it over
// `path`. The temp file is removed on failure.
template <typename Fill>
void AtomicWrite(const std::string& host, const std::string& path, unsigned mode, Fill fill) {
  const std::string where = host + ": cannot write " + path;
  const std::string tmp = TempPathFor(path);
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) throw RemoteFileError(where + ": " + Errno(errno));
  try {
    fill(fd.get(), where);
    if (::fchmod(fd.get(), mode) != 0) throw RemoteFileError(where + ": chmod: " + Errno(errno));
    int fd_number = fd.get();
    *fd.out() = -1;
    if (::close(fd_number) != 0) throw RemoteFileError(where + ": " + Errno(errno));
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      throw RemoteFileError(where + ": rename: " + Errno(errno));
    }
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
}

void SetNonBlocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

}  // namespace

LocalTransport::LocalTransport(std::string host_name) : host_(std::move(host_name)) {}

CommandResult LocalTransport::Run(const Command& command) {
  const std::string rendered = RenderCommand(command);
  spdlog::debug("[{}] $ {}", host_, Redact(rendered));

  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0)
    throw Error(ExitCode::kTaskFailed, host_ + ": pipe: " + Errno(errno));
  Fd in_r(in[0]), in_w(in[1]);
  if (::pipe2(out, O_CLOEXEC) != 0)
    throw Error(ExitCode::kTaskFailed, host_ + ": pipe: " + Errno(errno));
  Fd out_r(out[0]), out_w(out[1]);
  if (::pipe2(err, O_CLOEXEC) != 0)
    throw Error(ExitCode::kTaskFailed, host_ + ": pipe: " + Errno(errno));
  Fd err_r(err[0]), err_w(err[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_r.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out_w.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_w.get(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t no_signals, default_signals;
  sigemptyset(&no_signals);
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &no_signals);
  posix_spawnattr_setsigdefault(&attr, &default_signals);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const char* argv[] = {"/bin/sh", "-c", rendered.c_str(), nullptr};
  pid_t pid = -1;
  int spawn_error =
      posix_spawn(&pid, "/bin/sh", &actions, &attr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (spawn_error != 0) {
    throw Error(ExitCode::kTaskFailed, host_ + ": cannot start /bin/sh: " + Errno(spawn_error));
  }
  in_r.Close();
  out_w.Close();
  err_w.Close();

  SigpipeBlock sigpipe_block;
  const std::string stdin_data = command.stdin_data.value_or("");
  size_t stdin_pos = 0;
  if (stdin_data.empty()) {
    in_w.Close();
  } else {
    SetNonBlocking(in_w.get());
  }
  SetNonBlocking(out_r.get());
  SetNonBlocking(err_r.get());

  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::seconds(command.timeout_seconds);
  CommandResult result;
  bool timed_out = false;
  char buffer[65536];
  while (out_r.get() >= 0 || err_r.get() >= 0) {
    pollfd fds[3];
    nfds_t count = 0;
    if (out_r.get() >= 0) fds[count++] = {out_r.get(), POLLIN, 0};
    if (err_r.get() >= 0) fds[count++] = {err_r.get(), POLLIN, 0};
    if (in_w.get() >= 0) fds[count++] = {in_w.get(), POLLOUT, 0};
    int wait_ms = -1;
    if (command.timeout_seconds > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        timed_out = true;
        break;
      }
      wait_ms = static_cast<int>(left.count()) + 1;
    }
    int ready = ::poll(fds, count, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw Error(ExitCode::kTaskFailed, host_ + ": poll: " + Errno(errno));
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in_w.get()) {
        ssize_t n = ::write(in_w.get(), stdin_data.data() + stdin_pos,
                            std::min<size_t>(stdin_data.size() - stdin_pos, 65536));
        if (n >= 0) {
          stdin_pos += static_cast<size_t>(n);
          if (stdin_pos == stdin_data.size()) in_w.Close();
        } else if (errno != EAGAIN && errno != EINTR) {
          in_w.Close();  // EPIPE: the command does not read its stdin
        }
        continue;
      }
      Fd& source = fds[i].fd == out_r.get() ? out_r : err_r;
      std::string& sink = fds[i].fd == out_r.get() ? result.out : result.err;
      ssize_t n = ::read(source.get(), buffer, sizeof buffer);
      if (n > 0) {
        sink.append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        source.Close();
      }
    }
  }
  if (timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    result.exit_status = -1;
    result.err += "timed out after " + std::to_string(command.timeout_seconds) + " s";
  } else {
    result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return result;
}

void LocalTransport::WriteFile(const std::string& remote_path, const std::string& content,
                               unsigned mode) {
  AtomicWrite(host_, remote_path, mode, [&](int fd, const std::string& where) {
    WriteAll(fd, content.data(), content.size(), where);
  });
}

void LocalTransport::UploadFile(const std::string& local_path, const std::string& remote_path,
                                unsigned mode) {
  Fd source(::open(local_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (source.get() < 0) {
    throw RemoteFileError(host_ + ": cannot upload " + local_path + ": " + Errno(errno));
  }
  AtomicWrite(host_, remote_path, mode, [&](int fd, const std::string& where) {
    std::string chunk(1 << 20, '\0');
    while (true) {
      ssize_t n = ::read(source.get(), chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw RemoteFileError(where + ": reading " + local_path + ": " + Errno(errno));
      if (n == 0) break;
      WriteAll(fd, chunk.data(), static_cast<size_t>(n), where);
    }
  });
}

std::optional<std::string> LocalTransport::ReadFile(const std::string& remote_path) {
  Fd fd(::open(remote_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    throw RemoteFileError(host_ + ": cannot read " + remote_path + ": " + Errno(errno));
  }
  std::string content;
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw RemoteFileError(host_ + ": cannot read " + remote_path + ": " + Errno(errno));
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
  }
  return content;
}

RemoteFileInfo LocalTransport::Stat(const std::string& remote_path) {
  RemoteFileInfo info;
  struct stat st {};
  if (::lstat(remote_path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return info;
    throw RemoteFileError(host_ + ": cannot stat " + remote_path + ": " + Errno(errno));
  }
  info.exists = true;
  info.is_dir = S_ISDIR(st.st_mode);
  info.is_link = S_ISLNK(st.st_mode);
  info.is_regular = S_ISREG(st.st_mode);
  info.mode = st.st_mode & 07777;
  info.size = static_cast<unsigned long long>(st.st_size);
  info.mtime = st.st_mtime;
  if (info.is_link) {
    std::string target(4096, '\0');
    ssize_t n = ::readlink(remote_path.c_str(), target.data(), target.size());
    if (n >= 0) {
      target.resize(static_cast<size_t>(n));
      info.link_target = target;
    }
  }
  return info;
}

int LocalTransport::OpenLocalForward(const std::string& /*remote_host*/, int remote_port) {
  return remote_port;
}

}  // namespace deployctl::remote
