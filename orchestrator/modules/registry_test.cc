#include <catch2/catch.hpp>
#include <set>

#include "orchestrator/modules/module.h"

using deployctl::FindModule;
using deployctl::ModuleNames;

TEST_CASE("every module is found by name and by its ansible.builtin name", "[modules]") {
  CHECK(ModuleNames() == std::vector<std::string>{"command",
                                                  "compose",
                                                  "copy",
                                                  "db_backup",
                                                  "db_replaced",
                                                  "db_restore",
                                                  "db_verify",
                                                  "debug",
                                                  "deploy_history",
                                                  "deploy_lock",
                                                  "fail",
                                                  "file",
                                                  "healthcheck",
                                                  "migrate",
                                                  "release",
                                                  "release_mark",
                                                  "release_prune",
                                                  "release_switch",
                                                  "rollback_plan",
                                                  "rollback_schema_check",
                                                  "schema_revision",
                                                  "set_fact",
                                                  "shared_check",
                                                  "shell",
                                                  "stat",
                                                  "template",
                                                  "wait_for"});
  for (const std::string& name : ModuleNames()) {
    const auto* module = FindModule(name);
    REQUIRE(module != nullptr);
    CHECK(module->name() == name);
    CHECK(FindModule("ansible.builtin." + name) == module);
  }
  CHECK(FindModule("copyy") == nullptr);
  CHECK(FindModule("ansible.builtin.") == nullptr);
}

TEST_CASE("only command and shell are free-form, and argument names are unique", "[modules]") {
  for (const std::string& name : ModuleNames()) {
    const auto* module = FindModule(name);
    CHECK(module->free_form() == (name == "command" || name == "shell"));
    std::set<std::string> seen;
    for (const auto& spec : module->args()) CHECK(seen.insert(spec.name).second);
  }
}
