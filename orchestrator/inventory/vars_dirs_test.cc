#include "orchestrator/inventory/vars_dirs.h"

#include <catch2/catch.hpp>

#include "orchestrator/core/error.h"
#include "tests/support/temp_dir.h"

using namespace deployctl;
using deployctl::testing::TempDir;

TEST_CASE("vars files: name, name.yml, name.yaml, name.json; the first found wins", "[vars_dirs]") {
  TempDir dir;
  dir.Write("group_vars/web.yml", "a: 1\n");
  dir.Write("group_vars/web.json", "{\"a\": 2}\n");
  dir.Write("group_vars/db.json", "{\"a\": 2}\n");
  dir.Write("group_vars/all", "a: 3\n");
  CHECK(FindVarsFiles(dir / "group_vars", "web") ==
        std::vector<std::string>{dir / "group_vars/web.yml"});
  CHECK(FindVarsFiles(dir / "group_vars", "db") ==
        std::vector<std::string>{dir / "group_vars/db.json"});
  CHECK(FindVarsFiles(dir / "group_vars", "all") ==
        std::vector<std::string>{dir / "group_vars/all"});
  CHECK(FindVarsFiles(dir / "group_vars", "none").empty());
  CHECK(FindVarsFiles(dir / "missing", "web").empty());
}

TEST_CASE("vars directory: files in lexical order, recursing, skipping hidden and backups",
          "[vars_dirs]") {
  TempDir dir;
  dir.Write("group_vars/db/20-b.yml", "x: b\ny: b\n");
  dir.Write("group_vars/db/10-a.yml", "x: a\nz: {k: a}\n");
  dir.Write("group_vars/db/30/c.yaml", "z: {j: c}\n");
  dir.Write("group_vars/db/.hidden.yml", "x: hidden\n");
  dir.Write("group_vars/db/40.yml~", "x: backup\n");
  dir.Write("group_vars/db/notes.txt", "x: text\n");
  dir.Write("group_vars/db/50-empty.yml", "");
  const auto files = FindVarsFiles(dir / "group_vars", "db");
  CHECK(files == std::vector<std::string>{
                     dir / "group_vars/db/10-a.yml", dir / "group_vars/db/20-b.yml",
                     dir / "group_vars/db/30/c.yaml", dir / "group_vars/db/50-empty.yml"});
  // Later files replace whole top-level keys (hash_behaviour=replace).
  CHECK(LoadVarsFiles(files) == Value::parse(R"({"x": "b", "y": "b", "z": {"j": "c"}})"));
}

TEST_CASE("a vars file that is not a mapping is an error", "[vars_dirs]") {
  TempDir dir;
  const std::string file = dir.Write("host_vars/web1.yml", "# list\n- a\n- b\n");
  CHECK_THROWS_WITH(LoadVarsFiles({file}),
                    file + ":2:1: expected a mapping of variable names to values, got a list");
  const std::string vault = dir.Write("host_vars/web2.yml", "$ANSIBLE_VAULT;1.1;AES256\n6162\n");
  CHECK_THROWS_AS(LoadVarsFiles({vault}), ConfigError);
}
