// `wait_for`: waits, polling from the managed host, until a TCP port
// accepts connections (port, host default 127.0.0.1) or a path exists;
// state stopped/absent waits for the opposite. timeout (default 300 s,
// counted from the start including delay), delay, sleep (between probes,
// default 1), connect_timeout (per port probe, default 5), msg (replaces
// the timeout message). With neither port nor path it just sleeps
// `timeout` seconds. Never changed; data: elapsed (whole seconds).
//
// Port probe: one fixed script run as `sh -c SCRIPT wait_for HOST PORT T`
// (arguments passed positionally, never spliced into the script): bash's
// /dev/tcp when bash exists, else `nc -z -w T`. Exit 127 (neither exists)
// fails at once.
//
// In --check a single probe runs and the task reports what it would wait
// for, without waiting: the service it waits for was not really started.
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

// Time for wait_for, injected so tests need not sleep. Thread-safe.
class WaitClock {
 public:
  virtual ~WaitClock() = default;
  virtual double Now() = 0;  // seconds on a monotonic clock
  virtual void Sleep(double seconds) = 0;
};

// std::chrono::steady_clock and std::this_thread::sleep_for.
WaitClock& SystemWaitClock();

class WaitForModule : public Module {
 public:
  explicit WaitForModule(WaitClock& clock = SystemWaitClock()) : clock_(clock) {}
  std::string_view name() const override { return "wait_for"; }
  std::vector<ArgSpec> args() const override;
  ModuleResult Run(ModuleContext& ctx) const override;

 private:
  WaitClock& clock_;
};

}  // namespace deployctl
