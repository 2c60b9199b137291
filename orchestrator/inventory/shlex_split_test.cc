#include "orchestrator/inventory/shlex_split.h"

#include <catch2/catch.hpp>

using deployctl::ShlexError;
using deployctl::ShlexSplit;
using Words = std::vector<std::string>;

// Expected words are what Python's shlex.split(line, comments=True) gives.
TEST_CASE("splits on whitespace", "[shlex]") {
  CHECK(ShlexSplit("  web1   a=1\tb=2 ") == Words{"web1", "a=1", "b=2"});
  CHECK(ShlexSplit("") == Words{});
}

TEST_CASE("quotes group words and are removed", "[shlex]") {
  CHECK(ShlexSplit(R"(h s="a b" t='c d' u=x"y z")") == Words{"h", "s=a b", "t=c d", "u=xy z"});
  CHECK(ShlexSplit(R"(h z="'q'")") == Words{"h", "z='q'"});
  CHECK(ShlexSplit(R"(h e="")") == Words{"h", "e="});
  CHECK(ShlexSplit(R"('')") == Words{""});
}

TEST_CASE("backslashes", "[shlex]") {
  CHECK(ShlexSplit(R"(a\ b)") == Words{"a b"});
  CHECK(ShlexSplit(R"("a\"b" "c\d")") == Words{"a\"b", "c\\d"});
  CHECK(ShlexSplit(R"('a\b')") == Words{"a\\b"});
}

TEST_CASE("# starts a comment outside quotes, even inside a word", "[shlex]") {
  CHECK(ShlexSplit("web1 a=1 # the first") == Words{"web1", "a=1"});
  CHECK(ShlexSplit("web1 a=b#c d=e") == Words{"web1", "a=b"});
  CHECK(ShlexSplit("web1 a='b#c'") == Words{"web1", "a=b#c"});
}

TEST_CASE("unbalanced quotes throw Python's message", "[shlex]") {
  CHECK_THROWS_WITH(ShlexSplit("web1 a='b"), "No closing quotation");
  CHECK_THROWS_WITH(ShlexSplit("web1 a\\"), "No escaped character");
  CHECK_THROWS_AS(ShlexSplit("\"x"), ShlexError);
}
