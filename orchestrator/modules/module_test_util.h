// Test harness for modules: a FakeTransport host, and --check runs through
// the real CheckModeTransport wrapped around it.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "orchestrator/modules/module.h"
#include "remote/check_mode_transport.h"
#include "remote/fake/fake_transport.h"

namespace deployctl::testing {

struct ModuleHarness {
  remote::FakeTransport host;
  Value vars = Value::object();
  std::string project_dir = "/nonexistent-project";
  std::vector<std::string> plan;  // what the last --check run would have changed

  ModuleResult Run(const Module& module, const Value& args) {
    ModuleContext ctx{host, args, vars, false, project_dir};
    return module.Run(ctx);
  }
  ModuleResult Check(const Module& module, const Value& args) {
    remote::CheckModeTransport check(host);
    ModuleContext ctx{check, args, vars, true, project_dir};
    ModuleResult result = module.Run(ctx);
    plan = check.plan();
    return result;
  }
};

// A fresh local directory for files a test reads (copy src, templates).
class TempDir {
 public:
  TempDir() {
    path_ =
        std::filesystem::temp_directory_path() /
        ("deployctl_modules_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string path() const { return path_.string(); }
  // Writes `content` to path()/relative, creating directories.
  std::string Write(const std::string& relative, const std::string& content) const {
    const auto file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
    return file.string();
  }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

}  // namespace deployctl::testing
