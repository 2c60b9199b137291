// Local port forwarding over an SSH session (like `ssh -L`): a listener on
// 127.0.0.1 per forward, a direct-tcpip channel per accepted connection, and
// one background thread per session relaying bytes both ways.
#pragma once

#include <libssh/libssh.h>

#include <atomic>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace deployctl::remote::ssh {

class PortForwarder {
 public:
  // `session_mutex` guards every use of `session`; the relay thread takes it
  // only for short non-blocking steps (and to open a channel).
  PortForwarder(ssh_session session, std::recursive_mutex& session_mutex, std::string label);
  ~PortForwarder();  // closes every listener and connection, joins the thread
  PortForwarder(const PortForwarder&) = delete;
  PortForwarder& operator=(const PortForwarder&) = delete;

  // Starts listening on an ephemeral 127.0.0.1 port for `remote_host:remote_port`
  // and returns that port. Throws UnreachableError if no socket can be made.
  int Add(const std::string& remote_host, int remote_port);

 private:
  struct Listener {
    int fd;
    std::string remote_host;
    int remote_port;
    int local_port;
  };
  struct Relay {
    int sock = -1;
    ssh_channel channel = nullptr;
    std::string to_remote;  // read from the local socket, not yet sent
    std::string to_local;   // read from the channel, not yet written
    bool local_eof = false;
    bool remote_eof = false;
    bool eof_sent = false;
    bool local_shut = false;
    bool dead = false;
  };

  void Loop();
  void Accept(const Listener& listener);
  void Pump(Relay& relay);  // session lock held
  void Wake();

  ssh_session session_;
  std::recursive_mutex& session_mutex_;
  std::string label_;
  std::mutex listeners_mutex_;
  std::vector<Listener> listeners_;
  std::list<Relay> relays_;  // only the thread touches these
  int wake_[2] = {-1, -1};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace deployctl::remote::ssh
