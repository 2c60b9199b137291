#include "orchestrator/modules/set_fact_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/modules/module_test_util.h"

using deployctl::SetFactModule;
using deployctl::Value;
using deployctl::testing::ModuleHarness;

TEST_CASE("set_fact returns its arguments as ansible_facts", "[modules][set_fact]") {
  ModuleHarness h;
  auto r = h.Run(SetFactModule(), {{"previous", "1700000000"},
                                   {"migrated", true},
                                   {"hosts", Value::array({"web1"})},
                                   {"cacheable", true}});
  CHECK_FALSE(r.failed);
  CHECK_FALSE(r.changed);
  CHECK(
      r.data ==
      Value{{"ansible_facts",
             {{"previous", "1700000000"}, {"migrated", true}, {"hosts", Value::array({"web1"})}}}});
  CHECK(SetFactModule().accepts_any_args());
  CHECK(h.host.commands().empty());
}

TEST_CASE("set_fact needs valid variable names", "[modules][set_fact]") {
  ModuleHarness h;
  CHECK(h.Run(SetFactModule(), {{"1x", 1}}).msg ==
        "set_fact: '1x' is not a valid variable name (letters, digits and '_', not starting "
        "with a digit)");
  CHECK(h.Run(SetFactModule(), Value::object()).msg == "set_fact: no variables given");
}
