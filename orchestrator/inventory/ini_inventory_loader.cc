#include "orchestrator/inventory/ini_inventory_loader.h"

#include <map>
#include <regex>
#include <sstream>

#include "orchestrator/core/strings.h"
#include "orchestrator/inventory/host_range.h"
#include "orchestrator/inventory/inventory.h"
#include "orchestrator/inventory/python_literal.h"
#include "orchestrator/inventory/shlex_split.h"

namespace deployctl {
namespace {

class IniInventoryLoader {
 public:
  IniInventoryLoader(const std::string& file, Inventory& inventory)
      : file_(file), inventory_(inventory) {}

  void Load(const std::string& text) {
    static const std::regex kSection(R"(^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$)");
    std::istringstream in(text);
    std::string raw;
    while (std::getline(in, raw)) {
      ++line_;
      const std::string line = Trim(raw);
      if (line.empty() || line[0] == '#' || line[0] == ';') continue;
      std::smatch m;
      if (std::regex_match(line, m, kSection)) {
        Section(m[1].str(), m[2].matched ? m[2].str() : "hosts", line);
      } else if (line.front() == '[' && line.back() == ']') {
        Fail("invalid section header '" + line +
             "': expected [group], [group:vars] or "
             "[group:children], with no spaces in the group name");
      } else if (state_ == "hosts") {
        HostLine(line);
      } else if (state_ == "vars") {
        VarLine(line);
      } else {
        ChildLine(line);
      }
    }
    ReportUndefined();
  }

 private:
  // Groups named before they are declared, as in Ansible's ini plugin:
  // [x:vars] and [p:children] may come before [x], but x must appear.
  struct Pending {
    int line;
    std::string state;
    std::vector<std::string> parents;
  };

  [[noreturn]] void Fail(const std::string& message, int line = 0) const {
    throw ConfigError(SourceLocation{file_, line ? line : line_, 0}, message);
  }

  SourceLocation Here() const { return SourceLocation{file_, line_, 0}; }

  void Section(const std::string& group, const std::string& state, const std::string& line) {
    if (state != "hosts" && state != "children" && state != "vars") {
      Fail("unknown section type '" + state + "' in " + line + ": expected [" + group + "], [" +
           group + ":vars] or [" + group + ":children]");
    }
    group_ = group;
    state_ = state;
    if (!inventory_.HasGroup(group)) {
      if (state == "vars" && !pending_.count(group)) AddPending(group, Pending{line_, "vars", {}});
      inventory_.GetOrAddGroup(group);
    }
    if (auto it = pending_.find(group); it != pending_.end() && state != "vars") {
      if (it->second.state == "children") {
        AddPendingChildren(group);
      } else {
        ErasePending(group);
      }
    }
  }

  void AddPending(const std::string& group, Pending pending) {
    pending_order_.push_back(group);
    pending_.emplace(group, std::move(pending));
  }

  void ErasePending(const std::string& group) {
    pending_.erase(group);
    std::erase(pending_order_, group);
  }

  void AddPendingChildren(const std::string& group) {
    const std::vector<std::string> parents = pending_.at(group).parents;
    for (const std::string& parent : parents) {
      inventory_.AddChildGroup(parent, group, SourceLocation{file_, pending_.at(group).line, 0});
      if (auto it = pending_.find(parent); it != pending_.end() && it->second.state == "children") {
        AddPendingChildren(parent);
      }
    }
    ErasePending(group);
  }

  void HostLine(const std::string& line) {
    std::vector<std::string> tokens;
    try {
      tokens = ShlexSplit(line);
    } catch (const ShlexError& e) {
      Fail("cannot parse host line '" + line + "': " + e.what());
    }
    if (tokens.empty() || tokens[0].empty()) Fail("expected a host name, got '" + line + "'");
    const std::string& pattern = tokens[0];
    HostEntry entry;
    try {
      entry = ParseHostEntry(pattern);
    } catch (const HostRangeError& e) {
      Fail(e.what());
    }
    if (!entry.port && pattern.back() == ':') {
      Fail("invalid host '" + pattern + "': a ':' after the host name must be followed by a port");
    }
    if (pattern == "---") Fail("'---' is not a host: this looks like YAML; name the file *.yml");
    std::vector<std::pair<std::string, Value>> vars;
    for (size_t i = 1; i < tokens.size(); ++i) {
      const size_t eq = tokens[i].find('=');
      if (eq == std::string::npos) {
        Fail("expected key=value host variables after '" + pattern + "', got '" + tokens[i] + "'");
      }
      vars.emplace_back(tokens[i].substr(0, eq), IniValue(tokens[i].substr(eq + 1)));
    }
    for (const std::string& host : entry.names) {
      inventory_.AddHost(host, group_, entry.port, file_);
      for (const auto& [key, value] : vars) inventory_.SetHostVar(host, key, value);
    }
  }

  void VarLine(const std::string& line) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos)
      Fail("expected key=value in [" + group_ + ":vars], got '" + line + "'");
    inventory_.SetGroupVar(group_, Trim(line.substr(0, eq)), IniValue(Trim(line.substr(eq + 1))),
                           Here());
  }

  void ChildLine(const std::string& line) {
    static const std::regex kGroupName(R"(^([^:\]\s]+)\s*(?:#.*)?$)");
    std::smatch m;
    if (!std::regex_match(line, m, kGroupName)) {
      Fail("expected a group name in [" + group_ + ":children], got '" + line + "'");
    }
    const std::string child = m[1].str();
    if (inventory_.HasGroup(child)) {
      inventory_.AddChildGroup(group_, child, Here());
    } else if (auto it = pending_.find(child); it != pending_.end()) {
      it->second.parents.push_back(group_);
    } else {
      AddPending(child, Pending{line_, "children", {group_}});
    }
  }

  // Ansible reports the first group still undeclared at the end of the file.
  void ReportUndefined() const {
    if (pending_order_.empty()) return;
    const std::string& group = pending_order_.front();
    const Pending& p = pending_.at(group);
    if (p.state == "vars") {
      Fail("[" + group + ":vars] sets variables of group '" + group + "', which has no [" + group +
               "] or [" + group + ":children] section",
           p.line);
    }
    Fail("[" + p.parents.back() + ":children] names group '" + group +
             "', which is not defined: add a [" + group + "] section",
         p.line);
  }

  const std::string& file_;
  Inventory& inventory_;
  int line_ = 0;
  std::string group_ = "ungrouped";
  std::string state_ = "hosts";
  std::map<std::string, Pending> pending_;
  std::vector<std::string> pending_order_;
};

}  // namespace

void LoadIniInventory(const std::string& text, const std::string& file, Inventory& inventory) {
  IniInventoryLoader(file, inventory).Load(text);
}

}  // namespace deployctl
