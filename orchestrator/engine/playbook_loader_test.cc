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

TEST_CASE("a block's when is inherited by its block, rescue and always tasks, nested too",
          "[engine][loader]") {
  const std::string path = WritePlaybook(
      "- hosts: all\n"
      "  tasks:\n"
      "    - block:\n"
      "        - debug: { msg: a }\n"
      "          when: y\n"
      "        - block:\n"
      "            - debug: { msg: b }\n"
      "          when: z\n"
      "      rescue:\n"
      "        - debug: { msg: r }\n"
      "      always:\n"
      "        - debug: { msg: s }\n"
      "      when: x\n");
  const deployctl::Playbook playbook = deployctl::LoadPlaybook(path);
  const deployctl::Task& block = playbook.plays.at(0).tasks.at(0);
  using W = std::vector<std::string>;
  CHECK(block.block.at(0).when == W{"x", "y"});
  CHECK(block.block.at(1).when == W{"x", "z"});
  CHECK(block.block.at(1).block.at(0).when == W{"x", "z"});
  CHECK(block.rescue.at(0).when == W{"x"});
  CHECK(block.always.at(0).when == W{"x"});
  std::filesystem::remove(path);
}
