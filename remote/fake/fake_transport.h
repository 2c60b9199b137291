// A Transport for unit tests: it runs nothing. It records every command
// (as RenderCommand prints it), write and upload; answers Run from scripted
// rules; and keeps an in-memory file tree that ReadFile, Stat, WriteFile and
// UploadFile use, so modules that look before they touch can be tested.
// Commands do not change the file tree: a test sets up the state it wants.
#pragma once

#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "remote/transport.h"

namespace deployctl::remote {

struct FakeFile {
  enum class Kind { kFile, kDir, kLink };
  Kind kind = Kind::kFile;
  std::string content;      // kFile
  std::string link_target;  // kLink
  unsigned mode = 0644;
  long long mtime = 1700000000;
};

// A WriteFile (local_path empty) or an UploadFile.
struct FakeWrite {
  std::string path;
  std::string content;
  unsigned mode = 0;
  std::string local_path;
};

class FakeTransport : public Transport {
 public:
  explicit FakeTransport(std::string host = "web01") : host_(std::move(host)) {}

  // Run answers with the first rule whose pattern matches the rendered
  // command: a substring, or std::regex_search. A rule with `times` >= 0 is
  // used that many times and then skipped (for "fails twice, then works").
  // Without a matching rule: exit 0, no output.
  void OnCommand(std::string substring, CommandResult result, int times = -1);
  void OnCommandMatching(const std::string& regex, CommandResult result, int times = -1);

  // The file tree. Parents of stored paths exist implicitly as directories
  // (mode 0755), and so does "/".
  void AddFile(const std::string& path, std::string content, unsigned mode = 0644);
  void AddDir(const std::string& path, unsigned mode = 0755);
  void AddLink(const std::string& path, std::string target);
  void Remove(const std::string& path);
  const FakeFile* Find(const std::string& path) const;

  // Makes every later WriteFile/UploadFile throw std::runtime_error(message).
  void FailWrites(std::string message) { write_error_ = std::move(message); }

  // What happened, in order.
  const std::vector<std::string>& commands() const { return commands_; }  // rendered
  const std::vector<Command>& runs() const { return runs_; }
  const std::vector<FakeWrite>& writes() const { return writes_; }
  // Every action as one line: "run: <rendered>", "write: <path> 0644",
  // "upload: <local> -> <path> 0644".
  const std::vector<std::string>& log() const { return log_; }
  void ClearLog();

  CommandResult Run(const Command& command) override;
  void WriteFile(const std::string& remote_path, const std::string& content,
                 unsigned mode) override;
  void UploadFile(const std::string& local_path, const std::string& remote_path,
                  unsigned mode) override;
  std::optional<std::string> ReadFile(const std::string& remote_path) override;
  RemoteFileInfo Stat(const std::string& remote_path) override;
  const std::string& host() const override { return host_; }

 private:
  struct Rule {
    std::string substring;
    std::optional<std::regex> regex;
    CommandResult result;
    int times = -1;
  };
  bool IsImplicitDir(const std::string& path) const;
  void Store(const std::string& path, FakeWrite write);

  std::string host_;
  std::vector<Rule> rules_;
  std::map<std::string, FakeFile> files_;
  std::optional<std::string> write_error_;
  std::vector<std::string> commands_;
  std::vector<Command> runs_;
  std::vector<FakeWrite> writes_;
  std::vector<std::string> log_;
};

}  // namespace deployctl::remote
