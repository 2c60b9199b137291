#include "orchestrator/inventory/host_range.h"

#include <catch2/catch.hpp>

using deployctl::ExpandHostRange;
using deployctl::HostRangeError;
using deployctl::ParseHostEntry;
using Names = std::vector<std::string>;

TEST_CASE("a name without brackets is itself", "[host_range]") {
  CHECK(ExpandHostRange("web1.example.com") == Names{"web1.example.com"});
}

TEST_CASE("numeric ranges keep the width of a zero-padded begin", "[host_range]") {
  CHECK(ExpandHostRange("web[01:03].example.com") ==
        Names{"web01.example.com", "web02.example.com", "web03.example.com"});
  CHECK(ExpandHostRange("web[8:10]") == Names{"web8", "web9", "web10"});
  CHECK(ExpandHostRange("web[:2]") == Names{"web0", "web1", "web2"});
}

TEST_CASE("a third number is the stride", "[host_range]") {
  CHECK(ExpandHostRange("n[1:10:2]") == Names{"n1", "n3", "n5", "n7", "n9"});
  CHECK(ExpandHostRange("n[01:10:3]") == Names{"n01", "n04", "n07", "n10"});
}

TEST_CASE("letter ranges run over a-z then A-Z", "[host_range]") {
  CHECK(ExpandHostRange("db-[a:c]") == Names{"db-a", "db-b", "db-c"});
  CHECK(ExpandHostRange("x[y:B]") == Names{"xy", "xz", "xA", "xB"});
  CHECK(ExpandHostRange("x[a:e:2]") == Names{"xa", "xc", "xe"});
}

TEST_CASE("several ranges expand left to right", "[host_range]") {
  CHECK(ExpandHostRange("r[1:2]-[a:b]") == Names{"r1-a", "r1-b", "r2-a", "r2-b"});
}

TEST_CASE("malformed ranges say what was expected", "[host_range]") {
  CHECK_THROWS_WITH(ExpandHostRange("web[05:01]"),
                    "the range begins after it ends in host range 'web[05:01]'");
  CHECK_THROWS_WITH(ExpandHostRange("web[1]"),
                    "expected [begin:end] or [begin:end:step] in host range 'web[1]'");
  CHECK_THROWS_WITH(ExpandHostRange("web[01:100]"),
                    "begin and end must have the same width, got '01:100' in host range "
                    "'web[01:100]'");
  CHECK_THROWS_WITH(ExpandHostRange("web[1:]"),
                    "the range has no end value in host range 'web[1:]'");
  CHECK_THROWS_WITH(ExpandHostRange("web[1:3:0]"),
                    "the step must be a positive number, got '0' in host range 'web[1:3:0]'");
  CHECK_THROWS_WITH(ExpandHostRange("web[a:9]"),
                    "expected numbers or single letters, got 'a:9' in host range 'web[a:9]'");
  CHECK_THROWS_WITH(ExpandHostRange("web[1:3"),
                    "expected ']' to close the range in host range 'web[1:3'");
  CHECK_THROWS_AS(ExpandHostRange("db-[c:a]"), HostRangeError);
}

TEST_CASE("a :port suffix is split off", "[host_range]") {
  auto entry = ParseHostEntry("web[1:2]:2222");
  CHECK(entry.names == Names{"web1", "web2"});
  CHECK(entry.port == 2222);
  CHECK(ParseHostEntry("10.0.0.5:22").names == Names{"10.0.0.5"});
  CHECK_FALSE(ParseHostEntry("web1").port.has_value());
}

TEST_CASE("IPv6 addresses keep their colons; a port needs brackets", "[host_range]") {
  CHECK(ParseHostEntry("fe80::1").names == Names{"fe80::1"});
  CHECK_FALSE(ParseHostEntry("fe80::1").port.has_value());
  auto bracketed = ParseHostEntry("[fe80::1]:2222");
  CHECK(bracketed.names == Names{"fe80::1"});
  CHECK(bracketed.port == 2222);
}
