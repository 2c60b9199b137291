#include "orchestrator/modules/fail_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/modules/module_test_util.h"

using deployctl::FailModule;
using deployctl::Value;
using deployctl::testing::ModuleHarness;

TEST_CASE("fail fails with its message", "[modules][fail]") {
  ModuleHarness h;
  auto r = h.Run(FailModule(), {{"msg", "schema moved on"}});
  CHECK(r.failed);
  CHECK_FALSE(r.changed);
  CHECK(r.msg == "schema moved on");
  CHECK(h.Run(FailModule(), Value::object()).msg == "Failed as requested from task");
  CHECK(h.Run(FailModule(), {{"msg", Value::array({1, 2})}}).msg == "[1,2]");
  CHECK(h.host.commands().empty());
}

TEST_CASE("fail with refused: true marks the failure a refusal", "[modules][fail]") {
  ModuleHarness h;
  auto r = h.Run(FailModule(), {{"msg", "locked by alice"}, {"refused", true}});
  CHECK(r.failed);
  CHECK(r.refused);
  CHECK(r.msg == "locked by alice");
  CHECK_FALSE(h.Run(FailModule(), {{"msg", "plain"}}).refused);
}
