#include "orchestrator/yaml/yaml_value.h"

#include <catch2/catch.hpp>

using deployctl::ConfigError;
using deployctl::LoadYamlText;
using deployctl::YamlToValue;

TEST_CASE("YAML scalars are typed as Ansible types them", "[yaml]") {
  auto v = YamlToValue(LoadYamlText(
      "a: yes\nb: 'yes'\nc: 42\nd: 0o17\ne: 1.5\nf: ~\ng: \"42\"\nh: Off\ni: web01\n", "t.yml"));
  CHECK(v["a"] == true);
  CHECK(v["b"] == "yes");
  CHECK(v["c"] == 42);
  CHECK(v["d"] == 15);
  CHECK(v["e"] == 1.5);
  CHECK(v["f"].is_null());
  CHECK(v["g"] == "42");
  CHECK(v["h"] == false);
  CHECK(v["i"] == "web01");
}

TEST_CASE("A YAML syntax error names file, line and column", "[yaml]") {
  try {
    LoadYamlText("a: 1\nb: [1, 2\n", "inv.yml");
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).rfind("inv.yml:", 0) == 0);
    CHECK(e.where().line >= 2);
  }
}
