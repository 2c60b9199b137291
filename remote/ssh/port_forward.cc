#include "remote/ssh/port_forward.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "remote/transport.h"

namespace deployctl::remote::ssh {

namespace {

constexpr size_t kBufferLimit = 256 * 1024;
constexpr size_t kChunk = 32 * 1024;

}  // namespace

PortForwarder::PortForwarder(ssh_session session, std::recursive_mutex& session_mutex,
                             std::string label)
    : session_(session), session_mutex_(session_mutex), label_(std::move(label)) {
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw UnreachableError(label_ + ": cannot start port forwarding: " + std::strerror(errno));
  }
  thread_ = std::thread([this] { Loop(); });
}

PortForwarder::~PortForwarder() {
  stop_ = true;
  Wake();
  thread_.join();
  {
    std::lock_guard lock(session_mutex_);
    for (Relay& relay : relays_) {
      if (ssh_channel_is_open(relay.channel)) ssh_channel_close(relay.channel);
      ssh_channel_free(relay.channel);
      ::close(relay.sock);
    }
  }
  for (const Listener& listener : listeners_) ::close(listener.fd);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void PortForwarder::Wake() {
  char byte = 1;
  [[maybe_unused]] ssize_t ignored = ::write(wake_[1], &byte, 1);
}

int PortForwarder::Add(const std::string& remote_host, int remote_port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    throw UnreachableError(label_ + ": cannot forward to " + remote_host + ":" +
                           std::to_string(remote_port) + ": " + std::strerror(errno));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 16) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    int error = errno;
    ::close(fd);
    throw UnreachableError(label_ + ": cannot forward to " + remote_host + ":" +
                           std::to_string(remote_port) + ": " + std::strerror(error));
  }
  int local_port = ntohs(address.sin_port);
  {
    std::lock_guard lock(listeners_mutex_);
    listeners_.push_back({fd, remote_host, remote_port, local_port});
  }
  Wake();
  spdlog::debug("[{}] forwarding 127.0.0.1:{} to {}:{}", label_, local_port, remote_host,
                remote_port);
  return local_port;
}

void PortForwarder::Accept(const Listener& listener) {
  while (true) {
    int sock = ::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (sock < 0) return;
    int nodelay = 1;
    ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof nodelay);
    std::lock_guard lock(session_mutex_);
    ssh_channel channel = ssh_channel_new(session_);
    if (channel == nullptr ||
        ssh_channel_open_forward(channel, listener.remote_host.c_str(), listener.remote_port,
                                 "127.0.0.1", listener.local_port) != SSH_OK) {
      spdlog::warn("[{}] cannot open a forwarded connection to {}:{}: {}", label_,
                   listener.remote_host, listener.remote_port, ssh_get_error(session_));
      if (channel != nullptr) ssh_channel_free(channel);
      ::close(sock);
      continue;
    }
    Relay relay;
    relay.sock = sock;
    relay.channel = channel;
    relays_.push_back(std::move(relay));
  }
}

void PortForwarder::Pump(Relay& relay) {
  char buffer[kChunk];
  while (!relay.remote_eof && relay.to_local.size() < kBufferLimit) {
    int n = ssh_channel_read_nonblocking(relay.channel, buffer, sizeof buffer, 0);
    if (n == SSH_ERROR) {
      relay.dead = true;
      return;
    }
    if (n > 0) {
      relay.to_local.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (ssh_channel_is_eof(relay.channel) || ssh_channel_is_closed(relay.channel)) {
      relay.remote_eof = true;
    }
    break;
  }
  while (!relay.to_remote.empty() && !relay.eof_sent) {
    uint32_t window = ssh_channel_window_size(relay.channel);
    if (window == 0) break;
    size_t n = std::min({static_cast<size_t>(window), relay.to_remote.size(), kChunk});
    int written =
        ssh_channel_write(relay.channel, relay.to_remote.data(), static_cast<uint32_t>(n));
    if (written == SSH_ERROR) {
      relay.dead = true;
      return;
    }
    relay.to_remote.erase(0, static_cast<size_t>(written));
    if (written == 0) break;
  }
  if (relay.local_eof && relay.to_remote.empty() && !relay.eof_sent) {
    ssh_channel_send_eof(relay.channel);
    relay.eof_sent = true;
  }
}

void PortForwarder::Loop() {
  char buffer[kChunk];
  while (!stop_) {
    std::vector<Listener> listeners;
    {
      std::lock_guard lock(listeners_mutex_);
      listeners = listeners_;
    }
    std::vector<pollfd> fds;
    fds.push_back({wake_[0], POLLIN, 0});
    for (const Listener& listener : listeners) fds.push_back({listener.fd, POLLIN, 0});
    for (const Relay& relay : relays_) {
      short events = 0;
      if (!relay.local_eof && relay.to_remote.size() < kBufferLimit) events |= POLLIN;
      if (!relay.to_local.empty()) events |= POLLOUT;
      fds.push_back({relay.sock, events, 0});
    }
    if (!relays_.empty()) fds.push_back({ssh_get_fd(session_), POLLIN, 0});
    // With connections open, wake often: another thread may have taken our
    // channels' data off the SSH socket.
    ::poll(fds.data(), fds.size(), relays_.empty() ? -1 : 10);
    if (stop_) break;
    if (fds[0].revents != 0) {
      while (::read(wake_[0], buffer, sizeof buffer) > 0) {
      }
    }
    for (size_t i = 0; i < listeners.size(); ++i) {
      if (fds[1 + i].revents != 0) Accept(listeners[i]);
    }
    // Local side in, then the channel both ways, then local side out.
    for (Relay& relay : relays_) {
      while (!relay.local_eof && relay.to_remote.size() < kBufferLimit) {
        ssize_t n = ::recv(relay.sock, buffer, sizeof buffer, 0);
        if (n > 0) {
          relay.to_remote.append(buffer, static_cast<size_t>(n));
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          relay.local_eof = true;
        } else {
          break;
        }
      }
    }
    if (!relays_.empty()) {
      std::lock_guard lock(session_mutex_);
      for (Relay& relay : relays_) Pump(relay);
    }
    for (Relay& relay : relays_) {
      while (!relay.to_local.empty()) {
        ssize_t n = ::send(relay.sock, relay.to_local.data(), relay.to_local.size(), MSG_NOSIGNAL);
        if (n > 0) {
          relay.to_local.erase(0, static_cast<size_t>(n));
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
          break;
        } else {
          relay.dead = true;  // the local client went away
          break;
        }
      }
      if (relay.remote_eof && relay.to_local.empty() && !relay.local_shut) {
        ::shutdown(relay.sock, SHUT_WR);
        relay.local_shut = true;
      }
    }
    for (auto it = relays_.begin(); it != relays_.end();) {
      bool finished = it->local_shut && it->eof_sent;
      if (!it->dead && !finished) {
        ++it;
        continue;
      }
      {
        std::lock_guard lock(session_mutex_);
        if (ssh_channel_is_open(it->channel)) ssh_channel_close(it->channel);
        ssh_channel_free(it->channel);
      }
      ::close(it->sock);
      it = relays_.erase(it);
    }
  }
}

}  // namespace deployctl::remote::ssh
