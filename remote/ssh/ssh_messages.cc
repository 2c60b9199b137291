#include "remote/ssh/ssh_messages.h"

#include "remote/command.h"

namespace deployctl::remote::ssh {

namespace {

std::string HostPort(const std::string& address, int port) {
  bool ipv6 = address.find(':') != std::string::npos;
  return (ipv6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

}  // namespace

std::string HostLabel(const std::string& inventory_name, const std::string& address, int port) {
  return inventory_name + " (" + HostPort(address, port) + ")";
}

std::string KnownHostsName(const std::string& address, int port) {
  if (port == 22) return address;
  return "[" + address + "]:" + std::to_string(port);
}

std::string UnknownHostKeyMessage(const std::string& label, const std::string& key_type,
                                  const std::string& fingerprint, const std::string& address,
                                  int port, const std::string& known_hosts_display) {
  std::string keyscan = "ssh-keyscan ";
  if (port != 22) keyscan += "-p " + std::to_string(port) + " ";
  keyscan += ShellQuote(address);
  return label + ": host key is not known: " + key_type + " key " + fingerprint +
         " To trust it, check the fingerprint and run: " + keyscan + " >> " + known_hosts_display;
}

std::string ChangedHostKeyMessage(const std::string& label, const std::string& key_type,
                                  const std::string& fingerprint, const std::string& address,
                                  int port, const std::string& known_hosts_display,
                                  bool is_default_file) {
  std::string keygen = "ssh-keygen ";
  if (!is_default_file) keygen += "-f " + known_hosts_display + " ";
  keygen += "-R " + ShellQuote(KnownHostsName(address, port));
  return label + ": HOST KEY HAS CHANGED (" + key_type + " " + fingerprint +
         "); someone may be intercepting the connection, or the host was rebuilt. "
         "If you trust the new key: " +
         keygen + " and accept it again";
}

}  // namespace deployctl::remote::ssh
