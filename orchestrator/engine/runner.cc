#include "orchestrator/engine/runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include "orchestrator/modules/module.h"
#include "orchestrator/vars/template.h"
#include "remote/check_mode_transport.h"

namespace deployctl {

struct PlaybookRunner::HostState {
  std::mutex in_use;              // held while a task uses this host's transport
  Value inventory_vars;           // computed once per run
  Value facts = Value::object();  // registered results
  bool failed = false;
  bool unreachable = false;
  std::unique_ptr<remote::Transport> transport;
  std::unique_ptr<remote::CheckModeTransport> check;
};

ExitCode RunSummary::exit_code() const {
  bool unreachable = false, refused = false;
  for (const auto& f : failures) {
    unreachable = unreachable || f.unreachable;
    refused = refused || f.refused;
  }
  if (refused) return ExitCode::kRefused;
  if (unreachable) return ExitCode::kUnreachable;
  return failures.empty() ? ExitCode::kOk : ExitCode::kTaskFailed;
}

const HostFailure& RunSummary::FirstFailure() const {
  for (const auto& host : hosts) {
    for (const auto& f : failures) {
      if (f.host == host) return f;
    }
  }
  return failures.front();
}

std::string RunSummary::FailureLine() const {
  if (failures.empty()) return "";
  const HostFailure& first = FirstFailure();
  std::string line = first.unreachable ? "host " + first.host + " unreachable: " + first.msg
                                       : "task '" + first.task + "' (" + first.where.ToString() +
                                             ") failed on " + first.host + ": " + first.msg;
  std::set<std::string> hosts;
  for (const auto& f : failures) hosts.insert(f.host);
  line += "; " + std::to_string(hosts.size()) + " of " + std::to_string(this->hosts.size()) +
          " host(s) stopped at their failed task, the others ran to the end";
  return line;
}

remote::ConnectionSpec ConnectionSpecFor(const std::string& host, const Value& vars) {
  // Connection variables may be templates ("{{ hostvars_ip }}"), as in Ansible.
  auto get = [&](const char* name) -> std::string {
    if (!vars.contains(name) || vars[name].is_null()) return "";
    Value v = vars[name];
    if (v.is_string() && v.get<std::string>().find("{{") != std::string::npos) {
      try {
        v = RenderString(v.get<std::string>(), vars);
      } catch (const TemplateError& e) {
        throw Error(ExitCode::kUsage, host + ": " + name + ": " + e.what());
      }
    }
    return v.is_string() ? v.get<std::string>() : v.dump();
  };
  auto number = [&](const char* name, const std::string& text, int max) {
    int n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n <= 0 || n > max) {
      throw Error(ExitCode::kUsage, host + ": " + name + " '" + text +
                                        "' is not a number from 1 to " + std::to_string(max));
    }
    return n;
  };
  remote::ConnectionSpec spec;
  spec.inventory_name = host;
  spec.address = get("ansible_host").empty() ? host : get("ansible_host");
  if (const std::string port = get("ansible_port"); !port.empty())
    spec.port = number("ansible_port", port, 65535);
  spec.user = get("ansible_user");
  spec.private_key_file = get("ansible_ssh_private_key_file");
  if (spec.private_key_file.rfind("~/", 0) == 0 && std::getenv("HOME") != nullptr) {
    spec.private_key_file = std::string(std::getenv("HOME")) + spec.private_key_file.substr(1);
  }
  spec.local = get("ansible_connection") == "local";
  if (const std::string timeout = get("ansible_timeout"); !timeout.empty()) {
    spec.connect_timeout_seconds = number("ansible_timeout", timeout, 86400);
  }
  return spec;
}

PlaybookRunner::PlaybookRunner(const Inventory& inventory, RunOptions options, Reporter& reporter,
                               ConnectFn connect)
    : inventory_(inventory),
      options_(std::move(options)),
      reporter_(reporter),
      connect_(std::move(connect)) {}

PlaybookRunner::~PlaybookRunner() = default;

RunSummary PlaybookRunner::Run(const Playbook& playbook) {
  playbook_dir_ = playbook.dir;
  // Every host's state exists before threads start (delegate_to may reach
  // any host), so the map is never written concurrently.
  for (const auto& host : inventory_.host_names()) State(host);
  for (const Play& play : playbook.plays) {
    reporter_.PlayStart(WithRenderedName(play));
    std::vector<std::string> hosts = PlayHosts(play);
    for (const auto& host : hosts) {
      State(host);
      if (std::find(summary_.hosts.begin(), summary_.hosts.end(), host) == summary_.hosts.end()) {
        summary_.hosts.push_back(host);
        summary_.stats[host];
      }
    }
    std::vector<std::string> live;
    for (const auto& host : hosts) {
      if (!State(host).failed && !State(host).unreachable) live.push_back(host);
    }
    if (live.empty()) continue;
    RunTaskList(play.tasks, live, play);
  }
  if (options_.check) {
    for (const auto& host : summary_.hosts) {
      HostState& state = State(host);
      if (state.check) reporter_.CheckPlan(host, state.check->plan());
    }
  }
  for (const auto& [host, state] : states_) summary_.registered[host] = state->facts;
  reporter_.Recap(summary_.hosts, summary_.stats);
  return summary_;
}

namespace {

// As in Ansible, play and task names may use the play's vars and extra
// vars; a name that cannot be rendered is shown as written.
std::string RenderedName(const std::string& name, const Value& play_vars, const Value& extra_vars) {
  if (name.find("{{") == std::string::npos) return name;
  Value scope = play_vars;
  scope.update(extra_vars);
  try {
    const Value rendered = RenderString(name, scope);
    return rendered.is_string() ? rendered.get<std::string>() : rendered.dump();
  } catch (const TemplateError&) {
    return name;
  }
}

}  // namespace

Play PlaybookRunner::WithRenderedName(const Play& play) const {
  Play shown = play;
  shown.name = RenderedName(play.name, play.vars, options_.extra_vars);
  return shown;
}

Task PlaybookRunner::WithRenderedName(const Task& task, const Play& play) const {
  Task shown = task;
  shown.name = RenderedName(task.name, play.vars, options_.extra_vars);
  return shown;
}

std::vector<std::string> PlaybookRunner::PlayHosts(const Play& play) const {
  Value scope = play.vars;
  scope.update(options_.extra_vars);
  const Value pattern = RenderString(play.hosts, scope);
  std::vector<std::string> hosts =
      inventory_.Match(pattern.is_string() ? pattern.get<std::string>() : pattern.dump());
  if (!options_.limit.empty()) {
    std::vector<std::string> allowed = inventory_.Match(options_.limit);
    std::erase_if(hosts, [&](const std::string& h) {
      return std::find(allowed.begin(), allowed.end(), h) == allowed.end();
    });
  }
  return hosts;
}

PlaybookRunner::HostState& PlaybookRunner::State(const std::string& host) {
  auto it = states_.find(host);
  if (it != states_.end()) return *it->second;
  auto state = std::make_unique<HostState>();
  state->inventory_vars =
      inventory_.HasHost(host) ? inventory_.HostVars(host) : Value{{"inventory_hostname", host}};
  state->inventory_vars.update(options_.extra_vars);
  return *states_.emplace(host, std::move(state)).first->second;
}

bool PlaybookRunner::Selected(const Task& task) const {
  auto has = [&](const std::vector<std::string>& wanted) {
    for (const auto& tag : task.tags) {
      if (std::find(wanted.begin(), wanted.end(), tag) != wanted.end()) return true;
    }
    return false;
  };
  if (!options_.skip_tags.empty() && has(options_.skip_tags)) return false;
  // Ansible's special tag: a task tagged `never` runs only when one of its
  // tags is asked for by name.
  const bool never = std::find(task.tags.begin(), task.tags.end(), "never") != task.tags.end();
  if (never && !task.is_block) return has(options_.tags);
  if (options_.tags.empty() || task.is_block) return true;
  return has(options_.tags) ||
         std::find(task.tags.begin(), task.tags.end(), "always") != task.tags.end();
}

void PlaybookRunner::ForEachHost(const std::vector<std::string>& hosts, int throttle,
                                 const std::function<void(const std::string&)>& fn) {
  int limit = std::max(1, options_.forks);
  if (throttle > 0) limit = std::min(limit, throttle);
  const size_t workers = std::min<size_t>(limit, hosts.size());
  if (workers <= 1) {
    for (const auto& host : hosts) fn(host);
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < workers; ++i) {
    threads.emplace_back([&] {
      for (size_t j = next++; j < hosts.size(); j = next++) fn(hosts[j]);
    });
  }
  for (auto& t : threads) t.join();
}

std::vector<std::string> PlaybookRunner::RunTaskList(const std::vector<Task>& tasks,
                                                     std::vector<std::string> hosts,
                                                     const Play& play) {
  for (const Task& task : tasks) {
    if (hosts.empty()) break;
    if (!Selected(task)) continue;
    if (task.is_block) {
      hosts = RunBlock(task, hosts, play);
      continue;
    }
    RunTask(task, hosts, play);
    if (play.any_errors_fatal) FailAllIfAnyFailed(task, hosts);
    std::erase_if(hosts,
                  [&](const std::string& h) { return State(h).failed || State(h).unreachable; });
  }
  return hosts;
}

std::vector<std::string> PlaybookRunner::RunBlock(const Task& block,
                                                  const std::vector<std::string>& hosts,
                                                  const Play& play) {
  std::vector<std::string> survivors = RunTaskList(block.block, hosts, play);
  std::vector<std::string> failed;
  for (const auto& host : hosts) {
    if (State(host).failed && !State(host).unreachable) failed.push_back(host);
  }
  if (!block.rescue.empty() && !failed.empty()) {
    {
      std::lock_guard lock(mutex_);
      for (const auto& host : failed) {
        State(host).failed = false;
        summary_.stats[host].rescued++;
        summary_.stats[host].failed--;
        std::erase_if(summary_.failures, [&](const HostFailure& f) { return f.host == host; });
      }
    }
    for (const auto& host : RunTaskList(block.rescue, failed, play)) survivors.push_back(host);
  }
  if (!block.always.empty()) {
    // `always` runs on every host that entered the block and can still be
    // reached, failed or not; a host that fails here is failed.
    std::vector<std::string> entered;
    std::vector<bool> was_failed;
    for (const auto& host : hosts) {
      if (State(host).unreachable) continue;
      entered.push_back(host);
      was_failed.push_back(State(host).failed);
      State(host).failed = false;
    }
    RunTaskList(block.always, entered, play);
    for (size_t i = 0; i < entered.size(); ++i) {
      if (was_failed[i]) State(entered[i]).failed = true;
    }
  }
  std::vector<std::string> result;
  for (const auto& host : hosts) {
    if (!State(host).failed && !State(host).unreachable) result.push_back(host);
  }
  return result;
}

void PlaybookRunner::RunTask(const Task& task, const std::vector<std::string>& hosts,
                             const Play& play) {
  reporter_.TaskStart(WithRenderedName(task, play));
  if (task.run_once) {
    HostTaskResult result = ExecuteOnHost(task, hosts.front(), play);
    Record(task, result);
    if (!task.register_as.empty()) {
      for (const auto& host : hosts) State(host).facts[task.register_as] = result.data;
    }
    // As in Ansible, the one result is every host's: a run_once task that
    // fails fails the whole play's hosts, so none goes on without what it
    // was to give them.
    if (result.status == TaskStatus::kFailed && !result.ignored) {
      for (size_t i = 1; i < hosts.size(); ++i) {
        HostTaskResult copy = result;
        copy.host = hosts[i];
        RecordQuietly(task, copy);
      }
    }
    return;
  }
  ForEachHost(hosts, task.throttle,
              [&](const std::string& host) { Record(task, ExecuteOnHost(task, host, play)); });
}

void PlaybookRunner::FailAllIfAnyFailed(const Task& task, const std::vector<std::string>& hosts) {
  std::string culprit;
  for (const auto& host : hosts) {
    if (State(host).failed || State(host).unreachable) {
      culprit = host;
      break;
    }
  }
  if (culprit.empty()) return;
  std::lock_guard lock(mutex_);
  // The other hosts' rescue sections see the culprit's result, its message
  // saying whose failure stopped them.
  Value culprit_result = State(culprit).facts.value("ansible_failed_result", Value::object());
  culprit_result["msg"] = "stopped because " + culprit + " failed (any_errors_fatal): " +
                          culprit_result.value("msg", std::string("task failed"));
  for (const auto& host : hosts) {
    HostState& state = State(host);
    if (state.failed || state.unreachable) continue;
    state.failed = true;
    state.facts["ansible_failed_task"] = {{"name", task.name}, {"location", task.where.ToString()}};
    state.facts["ansible_failed_result"] = culprit_result;
    summary_.stats[host].failed++;
    summary_.failures.push_back({host, task.name, task.where,
                                 "stopped because " + culprit + " failed (any_errors_fatal)", false,
                                 false});
  }
}

void PlaybookRunner::Record(const Task& task, const HostTaskResult& result) {
  reporter_.TaskResult(task, result);
  RecordQuietly(task, result);
}

void PlaybookRunner::RecordQuietly(const Task& task, const HostTaskResult& result) {
  std::lock_guard lock(mutex_);
  HostStats& stats = summary_.stats[result.host];
  HostState& state = *states_.at(result.host);
  switch (result.status) {
    case TaskStatus::kOk:
      stats.ok++;
      break;
    case TaskStatus::kChanged:
      stats.ok++;
      stats.changed++;
      break;
    case TaskStatus::kSkipped:
      stats.skipped++;
      break;
    case TaskStatus::kUnreachable:
      stats.unreachable++;
      state.unreachable = true;
      // Why it was lost, for the rescue of the hosts it stops.
      state.facts["ansible_failed_task"] = {{"name", task.name},
                                            {"location", task.where.ToString()}};
      state.facts["ansible_failed_result"] = {{"msg", result.msg}, {"unreachable", true}};
      summary_.failures.push_back({result.host, task.name, task.where, result.msg, true, false});
      break;
    case TaskStatus::kFailed:
      if (result.ignored) {
        stats.ignored++;
      } else {
        stats.failed++;
        state.failed = true;
        // What a rescue section can look at, as in Ansible.
        state.facts["ansible_failed_task"] = {{"name", task.name},
                                              {"location", task.where.ToString()}};
        Value failed_result = task.no_log ? Value::object() : result.data;
        failed_result["msg"] = task.no_log ? "(hidden by no_log)" : result.msg;
        state.facts["ansible_failed_result"] = failed_result;
        summary_.failures.push_back({result.host, task.name, task.where,
                                     task.no_log ? "(hidden by no_log)" : result.msg, false,
                                     result.refused});
      }
      break;
  }
}

remote::Transport& PlaybookRunner::TransportFor(const std::string& host, const Value& vars) {
  HostState& state = State(host);
  if (!state.transport) {
    state.transport = connect_(ConnectionSpecFor(host, vars));
    if (options_.check)
      state.check = std::make_unique<remote::CheckModeTransport>(*state.transport);
  }
  if (state.check) return *state.check;
  return *state.transport;
}

namespace {

// Runs one module invocation and folds in changed_when / failed_when.
HostTaskResult RunModule(const Task& task, const std::string& host, remote::Transport& transport,
                         const Value& vars, bool check, const std::string& project_dir) {
  Value args = RenderValue(task.args, vars);
  ModuleContext ctx{transport, args, vars, check, project_dir};
  ModuleResult r = task.module->Run(ctx);
  HostTaskResult result;
  result.host = host;
  result.msg = r.msg;
  result.data = r.data;
  bool changed = r.changed;
  bool failed = r.failed;
  if (task.changed_when || task.failed_when) {
    Value scope = vars;
    Value registered = r.data;
    registered["changed"] = changed;
    registered["failed"] = failed;
    if (!task.register_as.empty()) scope[task.register_as] = registered;
    for (auto& [k, v] : registered.items()) {
      if (!scope.contains(k)) scope[k] = v;  // Ansible also exposes rc/stdout directly
    }
    if (task.changed_when) changed = EvaluateCondition(*task.changed_when, scope);
    if (task.failed_when) {
      failed = EvaluateCondition(*task.failed_when, scope);
      if (failed && result.msg.empty())
        result.msg = "failed_when condition met: " + *task.failed_when;
      if (!failed) result.msg.clear();
    }
  }
  result.data["changed"] = changed;
  result.data["failed"] = failed;
  if (!r.msg.empty()) result.data["msg"] = r.msg;
  result.status = failed ? TaskStatus::kFailed : changed ? TaskStatus::kChanged : TaskStatus::kOk;
  result.refused = failed && r.refused;
  if (result.refused) result.data["refused"] = true;
  return result;
}

}  // namespace

HostTaskResult PlaybookRunner::ExecuteOnHost(const Task& task, const std::string& host,
                                             const Play& play) {
  HostState& state = State(host);
  HostTaskResult result;
  result.host = host;
  std::string delegated_to;
  try {
    Value vars = state.inventory_vars;
    vars.update(play.vars);
    vars.update(task.vars);
    vars.update(state.facts);
    vars.update(options_.extra_vars);
    vars["playbook_dir"] = playbook_dir_;
    vars["ansible_check_mode"] = options_.check;

    // The first of the task's conditions that is false for `scope`, if any.
    auto false_condition = [&](const Value& scope) -> const std::string* {
      for (const auto& condition : task.when) {
        if (!EvaluateCondition(condition, scope)) return &condition;
      }
      return nullptr;
    };
    // A looped task's `when` is checked for each item, with the item (as
    // in Ansible).
    if (!task.loop) {
      if (const std::string* condition = false_condition(vars)) {
        result.status = TaskStatus::kSkipped;
        result.data = {{"skipped", true}, {"false_condition", *condition}};
        if (!task.register_as.empty()) state.facts[task.register_as] = result.data;
        return result;
      }
    }
    std::string target = host;
    if (!task.delegate_to.empty()) {
      Value delegate = RenderString(task.delegate_to, vars);
      target = delegate.is_string() ? delegate.get<std::string>() : delegate.dump();
      if (!inventory_.HasHost(target)) {
        throw std::runtime_error("delegate_to: no host '" + target + "' in the inventory");
      }
      delegated_to = target;
    }
    HostState& target_state = State(target);
    std::lock_guard in_use(target_state.in_use);
    remote::Transport& transport = TransportFor(target, target_state.inventory_vars);
    if (task.loop) {
      Value items = RenderValue(*task.loop, vars);
      if (!items.is_array()) throw TemplateError("'loop' must be a list, got " + items.dump());
      Value results = Value::array();
      bool changed = false, failed = false, ran = false;
      std::string msg;
      for (const auto& item : items) {
        Value item_vars = vars;
        item_vars[task.loop_var] = item;
        if (const std::string* condition = false_condition(item_vars)) {
          results.push_back(
              {{"skipped", true}, {"false_condition", *condition}, {task.loop_var, item}});
          continue;
        }
        ran = true;
        HostTaskResult one =
            RunModule(task, host, transport, item_vars, options_.check, playbook_dir_);
        one.data[task.loop_var] = item;
        results.push_back(one.data);
        changed = changed || one.status == TaskStatus::kChanged;
        if (one.status == TaskStatus::kFailed) {
          failed = true;
          if (msg.empty()) msg = "item " + item.dump() + ": " + one.msg;
        }
      }
      result.data = {{"results", results}, {"changed", changed}, {"failed", failed}};
      result.msg = msg;
      result.status = failed                   ? TaskStatus::kFailed
                      : changed                ? TaskStatus::kChanged
                      : !ran && !items.empty() ? TaskStatus::kSkipped
                                               : TaskStatus::kOk;
      if (result.status == TaskStatus::kSkipped) result.data["skipped"] = true;
    } else {
      result = RunModule(task, host, transport, vars, options_.check, playbook_dir_);
    }
  } catch (const remote::UnreachableError& e) {
    result.status = TaskStatus::kUnreachable;
    result.msg = e.what();
  } catch (const TemplateError& e) {
    result.status = TaskStatus::kFailed;
    result.msg = task.where.ToString() + ": " + e.what();
  } catch (const std::exception& e) {
    result.status = TaskStatus::kFailed;
    result.msg = e.what();
  }
  result.delegated_to = delegated_to;
  if (result.status == TaskStatus::kFailed && task.ignore_errors) result.ignored = true;
  if (result.status != TaskStatus::kFailed && result.data.contains("ansible_facts") &&
      result.data["ansible_facts"].is_object()) {
    state.facts.update(result.data["ansible_facts"]);  // set_fact
  }
  if (!task.register_as.empty()) state.facts[task.register_as] = result.data;
  return result;
}

}  // namespace deployctl
