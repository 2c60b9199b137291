#include <catch2/catch.hpp>

#include "orchestrator/engine/runner.h"

using deployctl::HostFailure;
using deployctl::RunSummary;

TEST_CASE(
    "the failure line names the first failed host in inventory order, whatever finished "
    "first",
    "[engine]") {
  RunSummary summary;
  summary.hosts = {"web1", "web2", "web3"};
  // Hosts run in parallel: web3's failure may be recorded before web1's.
  summary.failures = {
      {"web3", "health check", {"deploy.yml", 10, 5}, "health check failed", false, false},
      {"web1", "health check", {"deploy.yml", 10, 5}, "stopped because web3 failed", false, false}};
  CHECK(summary.FirstFailure().host == "web1");
  CHECK(summary.FailureLine() ==
        "task 'health check' (deploy.yml:10:5) failed on web1: stopped because web3 failed; "
        "2 of 3 host(s) stopped at their failed task, the others ran to the end");
  std::swap(summary.failures[0], summary.failures[1]);
  CHECK(summary.FirstFailure().host == "web1");
}
