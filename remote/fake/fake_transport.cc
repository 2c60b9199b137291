#include "remote/fake/fake_transport.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace deployctl::remote {
namespace {

std::string Octal(unsigned mode) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04o", mode);
  return buffer;
}

std::string Parent(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

void FakeTransport::OnCommand(std::string substring, CommandResult result, int times) {
  rules_.push_back(Rule{std::move(substring), std::nullopt, std::move(result), times});
}

void FakeTransport::OnCommandMatching(const std::string& regex, CommandResult result, int times) {
  rules_.push_back(Rule{"", std::regex(regex), std::move(result), times});
}

void FakeTransport::AddFile(const std::string& path, std::string content, unsigned mode) {
  FakeFile file;
  file.content = std::move(content);
  file.mode = mode;
  files_[path] = std::move(file);
}

void FakeTransport::AddDir(const std::string& path, unsigned mode) {
  FakeFile dir;
  dir.kind = FakeFile::Kind::kDir;
  dir.mode = mode;
  files_[path] = dir;
}

void FakeTransport::AddLink(const std::string& path, std::string target) {
  FakeFile link;
  link.kind = FakeFile::Kind::kLink;
  link.link_target = std::move(target);
  link.mode = 0777;
  files_[path] = std::move(link);
}

void FakeTransport::Remove(const std::string& path) {
  files_.erase(path);
}

const FakeFile* FakeTransport::Find(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

void FakeTransport::ClearLog() {
  commands_.clear();
  runs_.clear();
  writes_.clear();
  log_.clear();
}

bool FakeTransport::IsImplicitDir(const std::string& path) const {
  if (path == "/") return true;
  const std::string prefix = path + "/";
  auto it = files_.lower_bound(prefix);
  return it != files_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

CommandResult FakeTransport::Run(const Command& command) {
  const std::string rendered = RenderCommand(command);
  commands_.push_back(rendered);
  runs_.push_back(command);
  log_.push_back("run: " + rendered);
  for (Rule& rule : rules_) {
    if (rule.times == 0) continue;
    const bool match = rule.regex ? std::regex_search(rendered, *rule.regex)
                                  : rendered.find(rule.substring) != std::string::npos;
    if (!match) continue;
    if (rule.times > 0) --rule.times;
    return rule.result;
  }
  return CommandResult{0, "", ""};
}

void FakeTransport::Store(const std::string& path, FakeWrite write) {
  if (write_error_) throw std::runtime_error(*write_error_);
  const FakeFile* parent = Find(Parent(path));
  const bool parent_is_dir =
      parent ? parent->kind == FakeFile::Kind::kDir : IsImplicitDir(Parent(path));
  if (!parent_is_dir) {
    throw std::runtime_error(path + ": No such file or directory");
  }
  AddFile(path, write.content, write.mode);
  writes_.push_back(std::move(write));
}

void FakeTransport::WriteFile(const std::string& remote_path, const std::string& content,
                              unsigned mode) {
  log_.push_back("write: " + remote_path + " " + Octal(mode));
  Store(remote_path, FakeWrite{remote_path, content, mode, ""});
}

void FakeTransport::UploadFile(const std::string& local_path, const std::string& remote_path,
                               unsigned mode) {
  log_.push_back("upload: " + local_path + " -> " + remote_path + " " + Octal(mode));
  std::ifstream in(local_path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read local file '" + local_path + "'");
  std::stringstream content;
  content << in.rdbuf();
  Store(remote_path, FakeWrite{remote_path, content.str(), mode, local_path});
}

std::optional<std::string> FakeTransport::ReadFile(const std::string& remote_path) {
  // Like open(2): follows one link to a stored file.
  const FakeFile* file = Find(remote_path);
  if (file && file->kind == FakeFile::Kind::kLink) {
    const std::string& target = file->link_target;
    file = Find(target.starts_with('/') ? target : Parent(remote_path) + "/" + target);
  }
  if (!file || file->kind != FakeFile::Kind::kFile) return std::nullopt;
  return file->content;
}

RemoteFileInfo FakeTransport::Stat(const std::string& remote_path) {
  RemoteFileInfo info;
  const FakeFile* file = Find(remote_path);
  if (!file) {
    if (IsImplicitDir(remote_path)) {
      info.exists = info.is_dir = true;
      info.mode = 0755;
      info.size = 4096;
    }
    return info;
  }
  info.exists = true;
  info.mode = file->mode;
  info.mtime = file->mtime;
  switch (file->kind) {
    case FakeFile::Kind::kFile:
      info.is_regular = true;
      info.size = file->content.size();
      break;
    case FakeFile::Kind::kDir:
      info.is_dir = true;
      info.size = 4096;
      break;
    case FakeFile::Kind::kLink:
      info.is_link = true;
      info.link_target = file->link_target;
      info.size = file->link_target.size();
      break;
  }
  return info;
}

}  // namespace deployctl::remote
