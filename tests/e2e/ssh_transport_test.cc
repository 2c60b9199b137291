// SshTransport against the test bed's real sshd (scripts/testbed.sh up):
// web1 at 127.0.0.11:2222, user root, key $STATE/ssh/id_ed25519, host keys in
// ~/.ssh/known_hosts. If the test bed is down these tests fail; they never skip.
#include "remote/ssh/ssh_transport.h"

#include <arpa/inet.h>
#include <libssh/libssh.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

namespace deployctl::remote {
namespace {

namespace fs = std::filesystem;
using ssh::SshTransport;
using Clock = std::chrono::steady_clock;

std::string StateDir() {
  const char* dir = std::getenv("DEPLOYCTL_TESTBED");
  return dir && *dir ? dir : "/tmp/deployctl-testbed";
}

ConnectionSpec Web1() {
  ConnectionSpec spec;
  spec.inventory_name = "web1";
  spec.address = "127.0.0.11";
  spec.port = 2222;
  spec.user = "root";
  spec.private_key_file = StateDir() + "/ssh/id_ed25519";
  spec.connect_timeout_seconds = 5;
  return spec;
}

std::unique_ptr<SshTransport> ConnectWeb1() {
  try {
    return std::make_unique<SshTransport>(Web1());
  } catch (const std::exception& e) {
    FAIL("the test bed is not up (run scripts/testbed.sh up): " << e.what());
  }
  return nullptr;
}

// A scratch directory on web1, removed afterwards.
struct RemoteDir {
  explicit RemoteDir(Transport& t) : transport(t) {
    CommandResult r = t.Run(Command::Argv({"mktemp", "-d", "/tmp/deployctl-ssh-e2e.XXXXXX"}));
    REQUIRE(r.ok());
    path = r.out.substr(0, r.out.size() - 1);
  }
  ~RemoteDir() { transport.Run(Command::Argv({"rm", "-rf", path})); }
  std::string operator/(const std::string& name) const { return path + "/" + name; }
  Transport& transport;
  std::string path;
};

struct LocalTempDir {
  LocalTempDir() {
    char name[] = "/tmp/deployctl-ssh-e2e-local.XXXXXX";
    path = ::mkdtemp(name);
  }
  ~LocalTempDir() { fs::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
  fs::path path;
};

std::string ErrorOf(const ConnectionSpec& spec) {
  try {
    SshTransport transport(spec);
  } catch (const UnreachableError& e) {
    return e.what();
  }
  return "(connected)";
}

// A fresh ED25519 key pair; returns the public key's base64.
std::string MakeKey(const std::string& private_path) {
  ssh_key key = nullptr;
  REQUIRE(ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) == SSH_OK);
  REQUIRE(ssh_pki_export_privkey_file(key, nullptr, nullptr, nullptr, private_path.c_str()) ==
          SSH_OK);
  char* b64 = nullptr;
  REQUIRE(ssh_pki_export_pubkey_base64(key, &b64) == SSH_OK);
  std::string pub = b64;
  ssh_string_free_char(b64);
  ssh_key_free(key);
  return pub;
}

TEST_CASE("ssh: exit status, stdout and stderr come back separately", "[ssh]") {
  auto web1 = ConnectWeb1();
  CHECK(web1->host() == "web1");
  CHECK(web1->label() == "web1 (127.0.0.11:2222)");
  CommandResult r = web1->Run(Command::Shell("echo out; echo err >&2; exit 7"));
  CHECK(r.exit_status == 7);
  CHECK(r.out == "out\n");
  CHECK(r.err == "err\n");
  Command with_context = Command::Shell("pwd; echo \"$GREETING\"");
  with_context.cwd = "/tmp";
  with_context.env = {{"GREETING", "it's $(not) run"}};
  CHECK(web1->Run(with_context).out == "/tmp\nit's $(not) run\n");
}

TEST_CASE("ssh: stdin is sent, then EOF", "[ssh]") {
  auto web1 = ConnectWeb1();
  Command wc = Command::Argv({"wc", "-c"});
  wc.stdin_data = std::string(123456, 'x');
  CHECK(web1->Run(wc).out == "123456\n");
  CHECK(web1->Run(Command::Argv({"cat"})).out.empty());
  Command ignores = Command::Argv({"true"});
  ignores.stdin_data = std::string(5'000'000, 'x');
  CHECK(web1->Run(ignores).exit_status == 0);
}

TEST_CASE("ssh: 20 MB each way and 5 MB of stderr at once do not deadlock", "[ssh]") {
  auto web1 = ConnectWeb1();
  auto start = Clock::now();
  CommandResult big = web1->Run(Command::Argv({"head", "-c", "20000000", "/dev/zero"}));
  CHECK(big.exit_status == 0);
  CHECK(big.out.size() == 20'000'000);

  std::string input(20'000'000, '\0');
  std::mt19937 rng(42);
  for (char& c : input) c = static_cast<char>(rng());
  Command echo = Command::Shell("head -c 5000000 /dev/zero >&2 & cat; wait");
  echo.stdin_data = input;
  CommandResult both = web1->Run(echo);
  CHECK(both.exit_status == 0);
  CHECK(both.out.size() == input.size());
  CHECK(both.out == input);
  CHECK(both.err.size() == 5'000'000);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("ssh: 20 MB down, then 20 MB up + 20 MB down + 5 MB stderr: %.2f s\n", seconds);
}

TEST_CASE("ssh: a timeout returns -1 and the connection stays usable", "[ssh]") {
  auto web1 = ConnectWeb1();
  Command slow = Command::Shell("echo started; sleep 30");
  slow.timeout_seconds = 1;
  auto start = Clock::now();
  CommandResult r = web1->Run(slow);
  CHECK(Clock::now() - start < std::chrono::seconds(5));
  CHECK(r.exit_status == -1);
  CHECK(r.out == "started\n");
  CHECK(r.err == "timed out after 1 s");
  CHECK(web1->Run(Command::Argv({"echo", "still here"})).out == "still here\n");
}

TEST_CASE("ssh: WriteFile replaces atomically with the mode", "[ssh]") {
  auto web1 = ConnectWeb1();
  RemoteDir dir(*web1);
  const std::string path = dir / "app.conf";
  web1->WriteFile(path, "one\n", 0640);
  CHECK(web1->ReadFile(path) == std::optional<std::string>("one\n"));
  RemoteFileInfo info = web1->Stat(path);
  CHECK(info.is_regular);
  CHECK(info.mode == 0640);
  CHECK(info.size == 4);
  std::string inode = web1->Run(Command::Argv({"stat", "-c", "%i", path})).out;
  web1->WriteFile(path, "two\n", 0600);  // over an existing file
  CHECK(web1->ReadFile(path) == std::optional<std::string>("two\n"));
  CHECK(web1->Stat(path).mode == 0600);
  CHECK(web1->Run(Command::Argv({"stat", "-c", "%i", path})).out != inode);
  CHECK(web1->Run(Command::Argv({"ls", "-A", dir.path})).out == "app.conf\n");
  web1->WriteFile(dir / "empty", "", 0644);
  CHECK(web1->ReadFile(dir / "empty") == std::optional<std::string>(""));
}

TEST_CASE("ssh: file errors name the host and path", "[ssh]") {
  auto web1 = ConnectWeb1();
  RemoteDir dir(*web1);
  try {
    web1->WriteFile(dir / "no/such/dir/file", "x", 0644);
    FAIL("no error");
  } catch (const RemoteFileError& e) {
    CHECK(std::string(e.what()) == "web1 (127.0.0.11:2222): cannot write " + dir.path +
                                       "/no/such/dir/file: no such file or directory");
  }
  web1->Run(Command::Argv({"mkdir", dir / "sub"}));
  web1->Run(Command::Argv({"ln", "-s", "sub", dir / "link-to-sub"}));
  try {
    web1->WriteFile(dir / "sub", "x", 0644);
    FAIL("no error");
  } catch (const RemoteFileError& e) {
    CHECK(std::string(e.what()) ==
          "web1 (127.0.0.11:2222): cannot write " + dir.path + "/sub: it is a directory");
  }
  CHECK_THROWS_AS(web1->WriteFile(dir / "link-to-sub", "x", 0644), RemoteFileError);
  CHECK(web1->Run(Command::Argv({"ls", "-A", dir.path, dir / "sub"})).out ==
        dir.path + ":\nlink-to-sub\nsub\n\n" + dir.path + "/sub:\n");
  // A link to a file is replaced, as rename(2) would.
  web1->WriteFile(dir / "target", "old", 0644);
  web1->Run(Command::Argv({"ln", "-s", "target", dir / "link-to-file"}));
  web1->WriteFile(dir / "link-to-file", "new", 0644);
  CHECK_FALSE(web1->Stat(dir / "link-to-file").is_link);
  CHECK(web1->ReadFile(dir / "target") == std::optional<std::string>("old"));
}

TEST_CASE("ssh: UploadFile streams a local file", "[ssh]") {
  auto web1 = ConnectWeb1();
  RemoteDir dir(*web1);
  LocalTempDir local;
  std::string content(3'000'000, '\0');
  std::mt19937 rng(7);
  for (char& c : content) c = static_cast<char>(rng());
  { std::ofstream(local / "release.tar", std::ios::binary) << content; }
  web1->UploadFile(local / "release.tar", dir / "release.tar", 0600);
  CHECK(web1->ReadFile(dir / "release.tar") == content);
  CHECK(web1->Stat(dir / "release.tar").mode == 0600);
  CHECK_THROWS_AS(web1->UploadFile(local / "missing", dir / "x", 0644), RemoteFileError);
}

TEST_CASE("ssh: ReadFile of a missing file is nullopt; Stat sees links", "[ssh]") {
  auto web1 = ConnectWeb1();
  RemoteDir dir(*web1);
  CHECK_FALSE(web1->ReadFile(dir / "missing").has_value());
  CHECK_FALSE(web1->Stat(dir / "missing").exists);
  CHECK_FALSE(web1->Stat(dir / "missing/below").exists);
  web1->Run(Command::Argv({"mkdir", dir / "releases"}));
  web1->Run(Command::Argv({"ln", "-s", "releases", dir / "current"}));
  RemoteFileInfo link = web1->Stat(dir / "current");
  CHECK(link.exists);
  CHECK(link.is_link);
  CHECK_FALSE(link.is_dir);
  CHECK(link.link_target == "releases");
  CHECK(web1->Stat(dir / "releases").is_dir);
}

TEST_CASE("ssh: an unknown host key is refused with the fingerprint", "[ssh]") {
  ConnectWeb1();
  LocalTempDir local;
  ConnectionSpec spec = Web1();
  spec.known_hosts_file = local / "known_hosts";
  { std::ofstream(spec.known_hosts_file) << ""; }
  std::string error = ErrorOf(spec);
  INFO(error);
  CHECK(error.rfind("web1 (127.0.0.11:2222): host key is not known: ED25519 key SHA256:", 0) == 0);
  CHECK(
      error.find("To trust it, check the fingerprint and run: ssh-keyscan -p 2222 127.0.0.11 >> " +
                 spec.known_hosts_file) != std::string::npos);
}

TEST_CASE("ssh: a changed host key is refused loudly", "[ssh]") {
  ConnectWeb1();
  LocalTempDir local;
  ConnectionSpec spec = Web1();
  spec.known_hosts_file = local / "known_hosts";
  std::string other = MakeKey(local / "other_key");
  { std::ofstream(spec.known_hosts_file) << "[127.0.0.11]:2222 ssh-ed25519 " << other << "\n"; }
  std::string error = ErrorOf(spec);
  INFO(error);
  CHECK(error.rfind("web1 (127.0.0.11:2222): HOST KEY HAS CHANGED (ED25519 SHA256:", 0) == 0);
  CHECK(error.find("ssh-keygen -f " + spec.known_hosts_file + " -R '[127.0.0.11]:2222'") !=
        std::string::npos);
}

TEST_CASE("ssh: a wrong key is an authentication error", "[ssh]") {
  ConnectWeb1();
  LocalTempDir local;
  ConnectionSpec spec = Web1();
  spec.private_key_file = local / "wrong_key";
  MakeKey(spec.private_key_file);
  std::string error = ErrorOf(spec);
  INFO(error);
  CHECK(error.rfind("web1 (127.0.0.11:2222): authentication failed for user root with key " +
                        spec.private_key_file + ": ",
                    0) == 0);
  spec.private_key_file = local / "missing_key";
  CHECK(ErrorOf(spec) == "web1 (127.0.0.11:2222): cannot read private key file " +
                             spec.private_key_file + ": No such file or directory");
}

TEST_CASE("ssh: a closed port is unreachable, naming the host", "[ssh]") {
  // A port nobody listens on: bind one, then close it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.11", &address.sin_addr);
  socklen_t length = sizeof address;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  ConnectionSpec spec = Web1();
  spec.port = ntohs(address.sin_port);
  std::string error = ErrorOf(spec);
  INFO(error);
  CHECK(error.rfind("web1 (127.0.0.11:" + std::to_string(spec.port) + "): cannot connect: ", 0) ==
        0);
  CHECK(error.find("refused") != std::string::npos);

  spec = Web1();
  spec.address = "no-such-host.invalid";
  error = ErrorOf(spec);
  INFO(error);
  CHECK(error.rfind("web1 (no-such-host.invalid:2222): cannot connect: ", 0) == 0);
}

TEST_CASE("ssh: a dropped connection throws UnreachableError", "[ssh]") {
  auto web1 = ConnectWeb1();
  // $PPID of the remote shell is the sshd process holding our connection.
  CHECK_THROWS_AS(web1->Run(Command::Shell("kill -9 $PPID; sleep 5")), UnreachableError);
  CHECK_THROWS_AS(web1->Run(Command::Argv({"true"})), UnreachableError);
}

TEST_CASE("ssh: 200 commands reuse one connection", "[ssh]") {
  auto web1 = ConnectWeb1();
  std::string first = web1->Run(Command::Shell("echo $SSH_CONNECTION")).out;
  auto start = Clock::now();
  const int count = 200;
  for (int i = 0; i < count; ++i) {
    REQUIRE(web1->Run(Command::Argv({"true"})).ok());
  }
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count() / count;
  std::printf("ssh: %d commands over one connection: %.2f ms per command\n", count, ms);
  CHECK(web1->Run(Command::Shell("echo $SSH_CONNECTION")).out == first);
  start = Clock::now();
  for (int i = 0; i < 50; ++i) REQUIRE(web1->Stat("/tmp").is_dir);
  ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count() / 50;
  std::printf("ssh: Stat over the same connection: %.2f ms each\n", ms);
}

TEST_CASE("ssh: separate sessions in separate threads", "[ssh]") {
  ConnectWeb1();
  std::vector<std::thread> threads;
  std::vector<int> good(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &good] {
      SshTransport web(Web1());
      for (int i = 0; i < 25; ++i) {
        std::string word = std::to_string(t) + "-" + std::to_string(i);
        if (web.Run(Command::Argv({"echo", word})).out == word + "\n") ++good[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(good == std::vector<int>(4, 25));
}

// A one-connection TCP echo server on 127.0.0.1; returns its port.
int StartEchoServer(std::thread& thread) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(listener, 1) == 0);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  thread = std::thread([listener] {
    int fd = ::accept(listener, nullptr, nullptr);
    ::close(listener);
    char buffer[65536];
    while (true) {
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      for (ssize_t sent = 0; sent < n;) {
        ssize_t m = ::send(fd, buffer + sent, static_cast<size_t>(n - sent), MSG_NOSIGNAL);
        if (m <= 0) break;
        sent += m;
      }
    }
    ::shutdown(fd, SHUT_WR);
    ::close(fd);
  });
  return ntohs(address.sin_port);
}

int ConnectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  timeval tv{20, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

TEST_CASE("ssh: a local forward carries 10 MB both ways while commands run", "[ssh]") {
  auto web1 = ConnectWeb1();
  std::thread server;
  int echo_port = StartEchoServer(server);
  int port = web1->OpenLocalForward("127.0.0.1", echo_port);
  int fd = ConnectLoopback(port);
  std::string data(10'000'000, '\0');
  std::mt19937 rng(3);
  for (char& c : data) c = static_cast<char>(rng());
  std::thread writer([&] {
    ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
  });
  std::string echoed;
  std::thread reader([&] {
    char buffer[65536];
    while (true) {
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      echoed.append(buffer, static_cast<size_t>(n));
    }
  });
  int commands = 0;
  for (int i = 0; i < 20; ++i) commands += web1->Run(Command::Argv({"true"})).ok();
  writer.join();
  reader.join();
  server.join();
  ::close(fd);
  CHECK(commands == 20);
  CHECK(echoed.size() == data.size());
  CHECK(echoed == data);
}

TEST_CASE("ssh: a local forward relays a TCP connection", "[ssh]") {
  auto web1 = ConnectWeb1();
  // Forward to web1's own sshd, which greets with its banner.
  int port = web1->OpenLocalForward("127.0.0.11", 2222);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  std::string banner;
  char buffer[256];
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (banner.find('\n') == std::string::npos) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    banner.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  CHECK(banner.rfind("SSH-2.0-", 0) == 0);
  // Commands still work while the forward exists.
  CHECK(web1->Run(Command::Argv({"echo", "ok"})).out == "ok\n");
}

}  // namespace
}  // namespace deployctl::remote
