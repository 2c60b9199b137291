#include "orchestrator/core/strings.h"

#include <catch2/catch.hpp>

using deployctl::Lower;
using deployctl::ParseBool;
using deployctl::Trim;

TEST_CASE("Trim drops surrounding whitespace only", "[core][strings]") {
  CHECK(Trim("  a b \t\r\n") == "a b");
  CHECK(Trim("\f\vx\v") == "x");
  CHECK(Trim(" \n\t ").empty());
  CHECK(Trim("").empty());
  CHECK(Trim("x") == "x");
}

TEST_CASE("Lower lowers ASCII letters and leaves UTF-8 alone", "[core][strings]") {
  CHECK(Lower("YeS") == "yes");
  CHECK(Lower("\xC3\x84Z") == "\xC3\x84z");
}

TEST_CASE("ParseBool takes Ansible's boolean words in any case", "[core][strings]") {
  for (const char* word : {"yes", "YES", "true", "True", "on", "ON", "1"}) {
    CHECK(ParseBool(word) == std::optional<bool>(true));
  }
  for (const char* word : {"no", "No", "false", "FALSE", "off", "Off", "0"}) {
    CHECK(ParseBool(word) == std::optional<bool>(false));
  }
  for (const char* word : {"", "y", "2", "yess", " yes", "enabled"}) {
    CHECK_FALSE(ParseBool(word).has_value());
  }
}
