#include "orchestrator/inventory/host_pattern.h"

#include <catch2/catch.hpp>

#include "orchestrator/inventory/inventory.h"

using namespace deployctl;
using Names = std::vector<std::string>;

namespace {

// all: ungrouped(lone), web(web1 web2, child web_eu(web3)), db(db1 web1)
Inventory Sample() {
  Inventory inv;
  inv.AddHost("lone", "ungrouped", std::nullopt, "");
  inv.AddHost("web1", "web", std::nullopt, "");
  inv.AddHost("web2", "web", std::nullopt, "");
  inv.AddHost("web3", "web_eu", std::nullopt, "");
  inv.AddChildGroup("web", "web_eu", {});
  inv.AddHost("db1.example.com", "db", std::nullopt, "");
  inv.AddHost("web1", "db", std::nullopt, "");
  inv.Finalize();
  return inv;
}

}  // namespace

TEST_CASE("patterns split on commas, else on colons outside brackets", "[host_pattern]") {
  CHECK(SplitHostPattern("a, b[1] ,c[2:3]") == Names{"a", "b[1]", "c[2:3]"});
  CHECK(SplitHostPattern("web:&db:!web2") == Names{"web", "&db", "!web2"});
  CHECK(SplitHostPattern("web[0:1]:db") == Names{"web[0:1]", "db"});
  CHECK(SplitHostPattern("web1:22") == Names{"web1:22"});
  CHECK(SplitHostPattern("fe80::1") == Names{"fe80::1"});
  CHECK(SplitHostPattern("  ") == Names{});
}

TEST_CASE("glob matching follows fnmatch", "[host_pattern]") {
  CHECK(GlobMatch("web*", "web1"));
  CHECK(GlobMatch("*", ""));
  CHECK(GlobMatch("w?b[0-9]", "web7"));
  CHECK_FALSE(GlobMatch("web[!1]", "web1"));
  CHECK(GlobMatch("web[!1]", "web2"));
  CHECK(GlobMatch("*.example.com", "db1.example.com"));
  CHECK_FALSE(GlobMatch("web*", "Web1"));
  CHECK(GlobMatch("a[b", "a[b"));
  CHECK(GlobMatch("*a*b", "xxaxxb"));
}

TEST_CASE("all, groups (with children), hosts and globs", "[host_pattern]") {
  const Inventory inv = Sample();
  CHECK(inv.Match("all") == Names{"lone", "web1", "web2", "db1.example.com", "web3"});
  CHECK(inv.Match("*") == inv.Match("all"));
  CHECK(inv.Match("web") == Names{"web1", "web2", "web3"});
  CHECK(inv.Match("web2") == Names{"web2"});
  CHECK(inv.Match("ungrouped") == Names{"lone"});
  CHECK(inv.Match("web*") == Names{"web1", "web2", "web3"});
  CHECK(inv.Match("*.example.com") == Names{"db1.example.com"});
  CHECK(inv.Match("nosuch").empty());
}

TEST_CASE("unions, intersections and exclusions", "[host_pattern]") {
  const Inventory inv = Sample();
  CHECK(inv.Match("db:web_eu") == Names{"db1.example.com", "web1", "web3"});
  CHECK(inv.Match("db,web_eu") == Names{"db1.example.com", "web1", "web3"});
  CHECK(inv.Match("web:&db") == Names{"web1"});
  CHECK(inv.Match("web:!web_eu") == Names{"web1", "web2"});
  CHECK(inv.Match("!web") == Names{"lone", "db1.example.com"});  // "all" is implied
  CHECK(inv.Match("web1,web2") == Names{"web1", "web2"});
  CHECK(inv.Match("web2,nosuch,lone") == Names{"web2", "lone"});
}

TEST_CASE("regexes and subscripts", "[host_pattern]") {
  const Inventory inv = Sample();
  CHECK(inv.Match("~web[12]") == Names{"web1", "web2"});
  CHECK(inv.Match("~(web|db)1") == Names{"web1", "db1.example.com"});
  CHECK(inv.Match("web[0]") == Names{"web1"});
  CHECK(inv.Match("web[-1]") == Names{"web3"});
  CHECK(inv.Match("web[1:]") == Names{"web2", "web3"});
  CHECK(inv.Match("web[0:1]") == Names{"web1", "web2"});
  CHECK_THROWS_WITH(inv.Match("web[5]"), "No hosts matched the subscripted pattern 'web[5]'");
  CHECK_THROWS_AS(inv.Match("~web("), UsageError);
}
