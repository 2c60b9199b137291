#include "remote/ssh/ssh_messages.h"

#include <catch2/catch.hpp>

namespace deployctl::remote::ssh {
namespace {

TEST_CASE("HostLabel names the host and where it is", "[ssh]") {
  CHECK(HostLabel("web1", "127.0.0.11", 2222) == "web1 (127.0.0.11:2222)");
  CHECK(HostLabel("db", "::1", 22) == "db ([::1]:22)");
}

TEST_CASE("KnownHostsName drops the port only for 22", "[ssh]") {
  CHECK(KnownHostsName("127.0.0.11", 22) == "127.0.0.11");
  CHECK(KnownHostsName("127.0.0.11", 2222) == "[127.0.0.11]:2222");
}

TEST_CASE("An unknown host key says how to trust it", "[ssh]") {
  CHECK(UnknownHostKeyMessage("web1 (127.0.0.11:2222)", "ED25519", "SHA256:abc", "127.0.0.11", 2222,
                              "~/.ssh/known_hosts") ==
        "web1 (127.0.0.11:2222): host key is not known: ED25519 key SHA256:abc To trust it, "
        "check the fingerprint and run: ssh-keyscan -p 2222 127.0.0.11 >> ~/.ssh/known_hosts");
  CHECK(UnknownHostKeyMessage("web2 (10.0.0.2:22)", "RSA", "SHA256:xyz", "10.0.0.2", 22,
                              "/etc/deploy/known_hosts") ==
        "web2 (10.0.0.2:22): host key is not known: RSA key SHA256:xyz To trust it, check the "
        "fingerprint and run: ssh-keyscan 10.0.0.2 >> /etc/deploy/known_hosts");
}

TEST_CASE("A changed host key is a loud warning with the way out", "[ssh]") {
  CHECK(ChangedHostKeyMessage("web1 (127.0.0.11:2222)", "ED25519", "SHA256:abc", "127.0.0.11", 2222,
                              "~/.ssh/known_hosts", true) ==
        "web1 (127.0.0.11:2222): HOST KEY HAS CHANGED (ED25519 SHA256:abc); someone may be "
        "intercepting the connection, or the host was rebuilt. If you trust the new key: "
        "ssh-keygen -R '[127.0.0.11]:2222' and accept it again");
  CHECK(ChangedHostKeyMessage("web2 (10.0.0.2:22)", "ED25519", "SHA256:abc", "10.0.0.2", 22,
                              "/tmp/kh", false) ==
        "web2 (10.0.0.2:22): HOST KEY HAS CHANGED (ED25519 SHA256:abc); someone may be "
        "intercepting the connection, or the host was rebuilt. If you trust the new key: "
        "ssh-keygen -f /tmp/kh -R 10.0.0.2 and accept it again");
}

}  // namespace
}  // namespace deployctl::remote::ssh
