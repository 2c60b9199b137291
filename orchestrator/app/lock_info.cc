#include "orchestrator/app/lock_info.h"

#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <random>

namespace deployctl {
namespace {

std::string Text(const Value& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || object[key].is_null()) return "";
  const Value& v = object[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

long long Number(const Value& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) return 0;
  const Value& v = object[key];
  if (v.is_number_integer()) return v.get<long long>();
  if (v.is_string()) {
    try {
      return std::stoll(v.get<std::string>());
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

std::string LockInfoPath(const AppConfig& app) {
  return app.lock_dir() + "/info.json";
}

}  // namespace

std::string IsoUtc(long long epoch_seconds) {
  const std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

LockInfo LockInfoFromRun(const Value& run, const std::string& command) {
  LockInfo info;
  info.token = Text(run, "token");
  info.user = Text(run, "user");
  info.controller = Text(run, "controller");
  info.pid = Number(run, "pid");
  info.started = Text(run, "started");
  info.command = command.empty() ? Text(run, "command") : command;
  return info;
}

Value LockInfoToJson(const LockInfo& info) {
  return Value{{"token", info.token}, {"user", info.user},       {"controller", info.controller},
               {"pid", info.pid},     {"started", info.started}, {"command", info.command}};
}

std::optional<LockInfo> ParseLockInfo(const std::string& text) {
  const Value json = Value::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return LockInfoFromRun(json, Text(json, "command"));
}

LockState ReadLockState(remote::Transport& host, const AppConfig& app) {
  LockState state;
  const remote::RemoteFileInfo dir = host.Stat(app.lock_dir());
  if (!dir.exists) return state;
  state.locked = true;
  state.since = dir.mtime;
  if (const auto text = host.ReadFile(LockInfoPath(app))) state.holder = ParseLockInfo(*text);
  return state;
}

std::string DescribeHolder(const LockState& state) {
  if (!state.holder) {
    return "an unknown holder (no readable info.json: a run killed while taking the lock?; "
           "locked since " +
           IsoUtc(state.since) + ")";
  }
  const LockInfo& h = *state.holder;
  std::string who = h.user.empty() ? "unknown" : h.user;
  if (!h.controller.empty()) who += "@" + h.controller;
  std::string details = "pid " + std::to_string(h.pid);
  if (!h.command.empty() || !h.started.empty()) {
    details += ",";
    if (!h.command.empty()) details += " " + h.command;
    if (!h.started.empty()) details += " since " + h.started;
  }
  if (!h.token.empty()) {
    details += ", run " + (h.token.size() > 8 ? h.token.substr(0, 8) + "..." : h.token);
  }
  return who + " (" + details + ")";
}

std::string LockHeldMessage(const std::string& app, const std::string& host,
                            const LockState& state) {
  return "app '" + app + "' is locked on " + host + " by " + DescribeHolder(state) +
         "; wait with --lock-wait SECONDS, or clear a stale lock with 'deployctl unlock app=" +
         app + "'";
}

Value HolderToJson(const LockState& state) {
  if (!state.locked) return nullptr;
  if (!state.holder) {
    return Value{
        {"user", "unknown"}, {"unknown", true}, {"stale", true}, {"since", IsoUtc(state.since)}};
  }
  return LockInfoToJson(*state.holder);
}

}  // namespace deployctl
