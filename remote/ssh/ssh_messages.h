// The text of SSH connection errors, kept apart from libssh so that tests can
// pin it down. Every message starts with the host's label.
#pragma once

#include <string>

namespace deployctl::remote::ssh {

// "web1 (127.0.0.11:2222)"; IPv6 addresses in brackets.
std::string HostLabel(const std::string& inventory_name, const std::string& address, int port);

// How known_hosts names the host: "127.0.0.11" on port 22, else "[127.0.0.11]:2222".
std::string KnownHostsName(const std::string& address, int port);

// `known_hosts_display` is the file as the user should type it
// ("~/.ssh/known_hosts"); `is_default_file` drops the -f from ssh-keygen.
std::string UnknownHostKeyMessage(const std::string& label, const std::string& key_type,
                                  const std::string& fingerprint, const std::string& address,
                                  int port, const std::string& known_hosts_display);

std::string ChangedHostKeyMessage(const std::string& label, const std::string& key_type,
                                  const std::string& fingerprint, const std::string& address,
                                  int port, const std::string& known_hosts_display,
                                  bool is_default_file);

}  // namespace deployctl::remote::ssh
