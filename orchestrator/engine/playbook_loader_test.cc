#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "orchestrator/core/error.h"
#include "orchestrator/engine/playbook.h"

namespace {

std::string WritePlaybook(const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("deployctl-loader-test-" + std::to_string(::getpid()) + ".yml");
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("set_fact takes any variable name; other modules' unknown arguments are refused",
          "[engine][loader]") {
  const std::string ok = WritePlaybook(
      "- hosts: all\n"
      "  tasks:\n"
      "    - set_fact: { previous_release: \"{{ x }}\", migrated: true }\n");
  const deployctl::Playbook playbook = deployctl::LoadPlaybook(ok);
  REQUIRE(playbook.plays.size() == 1);
  CHECK(playbook.plays[0].tasks.at(0).module_name == "set_fact");

  const std::string bad = WritePlaybook(
      "- hosts: all\n"
      "  tasks:\n"
      "    - copy: { dest: /tmp/x, contnet: hi }\n");
  CHECK_THROWS_WITH(deployctl::LoadPlaybook(bad),
                    Catch::Contains("unknown argument 'contnet' for module 'copy'"));
  std::filesystem::remove(bad);
}
