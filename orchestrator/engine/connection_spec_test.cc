#include <catch2/catch.hpp>

#include "orchestrator/core/error.h"
#include "orchestrator/engine/runner.h"

using deployctl::ConnectionSpecFor;
using deployctl::Error;
using deployctl::ExitCode;
using deployctl::Value;

namespace {

// The message of the error ConnectionSpecFor throws for `vars`, or "".
std::string ErrorFor(const Value& vars) {
  try {
    ConnectionSpecFor("web1", vars);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("connection variables are templated with the host's variables", "[engine][connection]") {
  const auto spec = ConnectionSpecFor("web1", Value{{"ip", "10.0.0.7"},
                                                    {"ansible_host", "{{ ip }}"},
                                                    {"ansible_port", "22{{ 0 }}2"},
                                                    {"ansible_user", "deploy"}});
  CHECK(spec.inventory_name == "web1");
  CHECK(spec.address == "10.0.0.7");
  CHECK(spec.port == 2202);
  CHECK(spec.user == "deploy");
  CHECK_FALSE(spec.local);
}

TEST_CASE("without ansible_host the inventory name is the address", "[engine][connection]") {
  const auto spec = ConnectionSpecFor("web1", Value::object());
  CHECK(spec.address == "web1");
  CHECK(spec.port == 0);
  CHECK(ConnectionSpecFor("web1", Value{{"ansible_connection", "local"}}).local);
}

// Issue 9, finding 7: ansible_port 99999 was accepted and wrapped to 34463.
TEST_CASE("regression: ansible_port out of 1-65535 is refused, not wrapped",
          "[engine][connection]") {
  CHECK(ErrorFor(Value{{"ansible_port", 99999}}) ==
        "web1: ansible_port '99999' is not a number from 1 to 65535");
  CHECK(ErrorFor(Value{{"ansible_port", 0}}) ==
        "web1: ansible_port '0' is not a number from 1 to 65535");
  CHECK(ErrorFor(Value{{"ansible_port", "22x"}}) ==
        "web1: ansible_port '22x' is not a number from 1 to 65535");
  CHECK(ConnectionSpecFor("web1", Value{{"ansible_port", 65535}}).port == 65535);
}

TEST_CASE("a connection variable that does not render names the host and variable",
          "[engine][connection]") {
  const std::string error = ErrorFor(Value{{"ansible_host", "{{ missing_var }}"}});
  CHECK(error.starts_with("web1: ansible_host: "));
  CHECK(error.find("missing_var") != std::string::npos);
}
