#include "orchestrator/modules/debug_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/modules/module_test_util.h"

using deployctl::DebugModule;
using deployctl::Value;
using deployctl::testing::ModuleHarness;

TEST_CASE("debug msg", "[modules][debug]") {
  ModuleHarness h;
  auto r = h.Run(DebugModule(), {{"msg", "deployed 1700000000"}});
  CHECK_FALSE(r.failed);
  CHECK_FALSE(r.changed);
  CHECK(r.msg == "deployed 1700000000");
  CHECK(h.Run(DebugModule(), Value::object()).msg == "Hello world!");
  CHECK(h.Run(DebugModule(), {{"msg", {{"a", 1}}}}).msg == "{\"a\":1}");
  CHECK(h.host.commands().empty());
}

TEST_CASE("debug var evaluates an expression", "[modules][debug]") {
  ModuleHarness h;
  h.vars = {{"result", {{"stdout", "hi"}, {"rc", 0}}}};
  auto r = h.Run(DebugModule(), {{"var", "result.stdout"}});
  CHECK(r.msg == "result.stdout: hi");
  CHECK(r.data == Value{{"result.stdout", "hi"}});
  CHECK(h.Run(DebugModule(), {{"var", "result"}}).msg == "result: {\"rc\":0,\"stdout\":\"hi\"}");
  auto missing = h.Run(DebugModule(), {{"var", "nope"}});
  CHECK_FALSE(missing.failed);
  CHECK(missing.msg == "nope: VARIABLE IS NOT DEFINED!");
  CHECK(h.Run(DebugModule(), {{"var", "x"}, {"msg", "y"}}).failed);
}
