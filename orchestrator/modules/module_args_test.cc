#include "orchestrator/modules/module_args.h"

#include <catch2/catch.hpp>

using deployctl::ModuleArgs;
using deployctl::ModuleError;
using deployctl::Value;

TEST_CASE("ModuleArgs reads Ansible-style booleans and integers", "[module_args]") {
  const Value v = {{"a", "yes"}, {"b", "off"}, {"c", 1},      {"d", true},
                   {"n", "300"}, {"m", 7},     {"x", nullptr}};
  const ModuleArgs args("wait_for", v);
  CHECK(args.Bool("a", false));
  CHECK_FALSE(args.Bool("b", true));
  CHECK(args.Bool("c", false));
  CHECK(args.Bool("d", false));
  CHECK(args.Bool("missing", true));
  CHECK(args.Bool("x", true));  // null counts as not given
  CHECK(args.Int("n", 0) == 300);
  CHECK(args.Int("m", 0) == 7);
  CHECK(args.Int("missing", 5) == 5);
  CHECK(args.String("m") == "7");
  CHECK_FALSE(args.String("x"));
}

TEST_CASE("ModuleArgs errors name the module, argument and value", "[module_args]") {
  const Value v = {{"b", "maybe"}, {"n", "1.5"}, {"s", {1, 2}}, {"l", {"a", {{"k", 1}}}}};
  const ModuleArgs args("copy", v);
  CHECK_THROWS_MATCHES(args.Bool("b", false), ModuleError,
                       Catch::Message("copy: argument 'b' must be a boolean (true or false), got "
                                      "'maybe'"));
  CHECK_THROWS_MATCHES(args.Int("n", 0), ModuleError,
                       Catch::Message("copy: argument 'n' must be an integer, got '1.5'"));
  CHECK_THROWS_MATCHES(args.String("s"), ModuleError,
                       Catch::Message("copy: argument 's' must be a string, got a list"));
  CHECK_THROWS_MATCHES(args.StringList("l"), ModuleError,
                       Catch::Message("copy: argument 'l' must be a list of strings, got a list"));
  CHECK_THROWS_MATCHES(args.RequiredString("dest"), ModuleError,
                       Catch::Message("copy: argument 'dest' is required"));
}
