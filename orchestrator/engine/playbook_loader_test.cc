#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "orchestrator/core/error.h"
#include "orchestrator/engine/playbook.h"
#include "tests/support/temp_dir.h"

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

namespace {

// The message of the ConfigError loading `path` throws, or "".
std::string LoadError(const std::string& path) {
  try {
    deployctl::LoadPlaybook(path);
  } catch (const deployctl::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("import_tasks loads a task file beside the playbook, the import's keywords on each task",
          "[engine][loader][import_tasks]") {
  deployctl::testing::TempDir dir;
  dir.Write("tasks/lock.yml",
            "- name: take it\n"
            "  command: echo take {{ what }}\n"
            "- name: say it\n"
            "  debug: { msg: taken }\n");
  const std::string book = dir.Write("site.yml",
                                     "- hosts: all\n"
                                     "  tasks:\n"
                                     "    - import_tasks: tasks/lock.yml\n"
                                     "      vars: { what: deploy }\n"
                                     "      when: lock_wanted\n"
                                     "      tags: [lock]\n"
                                     "      throttle: 1\n");
  const deployctl::Playbook playbook = deployctl::LoadPlaybook(book);
  const deployctl::Task& import = playbook.plays.at(0).tasks.at(0);
  CHECK(import.is_block);
  CHECK(import.name == "import_tasks tasks/lock.yml");
  REQUIRE(import.block.size() == 2);
  for (const auto& task : import.block) {
    CHECK(task.when == std::vector<std::string>{"lock_wanted"});
    CHECK(task.tags == std::vector<std::string>{"lock"});
    CHECK(task.vars["what"] == "deploy");
    CHECK(task.throttle == 1);
    CHECK(task.where.file == dir / "tasks/lock.yml");
  }
  CHECK(import.block[0].module_name == "command");
}

TEST_CASE("import_tasks errors name the imported file, a missing file and an import loop",
          "[engine][loader][import_tasks]") {
  deployctl::testing::TempDir dir;
  dir.Write("bad.yml", "- name: oops\n  comand: ls\n");
  const std::string bad =
      dir.Write("a.yml", "- hosts: all\n  tasks:\n    - import_tasks: bad.yml\n");
  CHECK(LoadError(bad).starts_with(dir / "bad.yml" + ":2:3: "));

  const std::string missing =
      dir.Write("b.yml", "- hosts: all\n  tasks:\n    - import_tasks: nowhere.yml\n");
  CHECK(LoadError(missing) == missing + ":3:21: import_tasks: no file " + dir / "nowhere.yml");

  dir.Write("loop.yml", "- import_tasks: loop.yml\n");
  const std::string loop =
      dir.Write("c.yml", "- hosts: all\n  tasks:\n    - import_tasks: loop.yml\n");
  CHECK(LoadError(loop).find("import_tasks nested more than 16 deep") != std::string::npos);

  const std::string both = dir.Write(
      "d.yml", "- hosts: all\n  tasks:\n    - import_tasks: bad.yml\n      command: ls\n");
  CHECK(LoadError(both).find("import_tasks cannot also run a module") != std::string::npos);
}
