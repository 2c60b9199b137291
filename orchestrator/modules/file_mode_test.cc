#include "orchestrator/modules/file_mode.h"

#include <catch2/catch.hpp>

using deployctl::FileMode;
using deployctl::OctalMode;
using deployctl::Value;

namespace {

unsigned Apply(const Value& mode, unsigned current, bool is_dir = false) {
  auto parsed = FileMode::Parse(mode);
  REQUIRE(parsed);
  return parsed->Apply(current, is_dir);
}

}  // namespace

TEST_CASE("octal modes as strings and YAML integers", "[file_mode]") {
  CHECK(Apply("0644", 0) == 0644);
  CHECK(Apply("644", 0) == 0644);
  CHECK(Apply("0o750", 0777) == 0750);
  CHECK(Apply("2775", 0) == 02775);
  CHECK(Apply(420, 0777) == 0644);  // YAML 0644
  CHECK_FALSE(FileMode::Parse("rw"));
  CHECK_FALSE(FileMode::Parse("0888"));
  CHECK_FALSE(FileMode::Parse(010000));
  CHECK_FALSE(FileMode::Parse(-1));
  CHECK_FALSE(FileMode::Parse(true));
  CHECK_FALSE(FileMode::Parse(""));
}

TEST_CASE("symbolic modes apply to the current bits as chmod does", "[file_mode]") {
  CHECK(Apply("u+x", 0644) == 0744);
  CHECK(Apply("+x", 0644) == 0755);
  CHECK(Apply("go-w", 0666) == 0644);
  CHECK(Apply("u=rw,g=r,o=", 0777) == 0640);
  CHECK(Apply("a=r", 0755) == 0444);
  CHECK(Apply("g+X", 0600) == 0600);
  CHECK(Apply("g+X", 0700) == 0710);
  CHECK(Apply("g+X", 0700, true) == 0710);
  CHECK(Apply("o+X", 0600, true) == 0601);
  CHECK(Apply("g+s", 0755) == 02755);
  CHECK(Apply("+t", 0777) == 01777);
  CHECK(FileMode::Parse("u+x")->symbolic());
  CHECK_FALSE(FileMode::Parse("u+y"));
  CHECK_FALSE(FileMode::Parse("u+x,"));
}

TEST_CASE("OctalMode prints four digits", "[file_mode]") {
  CHECK(OctalMode(0644) == "0644");
  CHECK(OctalMode(02755) == "2755");
  CHECK(OctalMode(0100644) == "0644");
}
