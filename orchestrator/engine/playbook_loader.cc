// Turns playbook YAML into Plays and Tasks, rejecting anything unknown with
// the file, line and column of the offending field.
#include <filesystem>
#include <set>

#include "orchestrator/core/spelling.h"
#include "orchestrator/engine/playbook.h"
#include "orchestrator/modules/module.h"
#include "orchestrator/yaml/yaml_value.h"

namespace deployctl {
namespace {

const std::vector<std::string> kPlayKeywords = {
    "name", "hosts", "vars", "tasks", "gather_facts", "become", "tags", "any_errors_fatal"};
const std::vector<std::string> kTaskKeywords = {
    "name",  "when",   "register", "run_once",   "ignore_errors", "changed_when", "failed_when",
    "tags",  "vars",   "loop",     "with_items", "loop_control",  "no_log",       "args",
    "block", "rescue", "always",   "become",     "delegate_to",   "throttle",     "import_tasks"};

// import_tasks files may import others; a loop of imports stops here.
constexpr int kMaxImportDepth = 16;

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) {}

  Playbook Load() {
    YAML::Node root = LoadYamlFile(file_);
    Playbook book;
    book.path = file_;
    book.dir = std::filesystem::absolute(file_).parent_path().string();
    if (!root.IsSequence()) Fail(root, "expected a list of plays at the top of the playbook");
    for (const auto& node : root) book.plays.push_back(LoadPlay(node));
    if (book.plays.empty()) Fail(root, "the playbook has no plays");
    return book;
  }

 private:
  [[noreturn]] void Fail(const YAML::Node& node, const std::string& message) const {
    throw ConfigError(LocationOf(node, file_), message);
  }

  std::string Scalar(const YAML::Node& node, const std::string& field) const {
    if (!node.IsScalar()) Fail(node, "'" + field + "' must be a string");
    return node.Scalar();
  }

  bool Bool(const YAML::Node& node, const std::string& field) const {
    Value v = YamlToValue(node);
    if (!v.is_boolean()) Fail(node, "'" + field + "' must be true or false");
    return v.get<bool>();
  }

  Value Dict(const YAML::Node& node, const std::string& field) const {
    if (node.IsNull()) return Value::object();
    if (!node.IsMap()) Fail(node, "'" + field + "' must be a mapping");
    return YamlToValue(node);
  }

  std::vector<std::string> StringList(const YAML::Node& node, const std::string& field) const {
    std::vector<std::string> out;
    if (node.IsScalar()) {
      out.push_back(node.Scalar());
    } else if (node.IsSequence()) {
      for (const auto& item : node) out.push_back(Scalar(item, field));
    } else {
      Fail(node, "'" + field + "' must be a string or a list of strings");
    }
    return out;
  }

  Play LoadPlay(const YAML::Node& node) {
    if (!node.IsMap()) Fail(node, "expected a play (a mapping with 'hosts' and 'tasks')");
    Play play;
    play.where = LocationOf(node, file_);
    std::vector<std::string> tags;
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      if (key == "name")
        play.name = Scalar(kv.second, key);
      else if (key == "hosts")
        play.hosts = Scalar(kv.second, key);
      else if (key == "vars")
        play.vars = Dict(kv.second, key);
      else if (key == "tags")
        tags = StringList(kv.second, key);
      else if (key == "any_errors_fatal")
        play.any_errors_fatal = Bool(kv.second, key);
      else if (key == "tasks") {
        if (!kv.second.IsSequence() && !kv.second.IsNull())
          Fail(kv.second, "'tasks' must be a list");
      } else if (key == "gather_facts" || key == "become") {
        // Accepted for compatibility; deployctl gathers no facts and runs as
        // the connecting user.
      } else {
        Fail(kv.first, "unknown play keyword '" + key + "'" + DidYouMean(key, kPlayKeywords));
      }
    }
    if (play.hosts.empty()) Fail(node, "the play has no 'hosts'");
    if (node["tasks"] && node["tasks"].IsSequence()) {
      for (const auto& t : node["tasks"]) play.tasks.push_back(LoadTask(t, tags, Value::object()));
    }
    if (play.name.empty()) play.name = play.hosts;
    return play;
  }

  std::vector<Task> LoadTaskList(const YAML::Node& node, const std::string& field,
                                 const std::vector<std::string>& tags, const Value& vars) {
    if (!node.IsSequence()) Fail(node, "'" + field + "' must be a list of tasks");
    std::vector<Task> tasks;
    for (const auto& t : node) tasks.push_back(LoadTask(t, tags, vars));
    return tasks;
  }

  // As in Ansible, a block's keywords apply to every task in it (block,
  // rescue and always, nested blocks too): its `when` is checked task by
  // task before the task's own; no_log, ignore_errors and run_once set on
  // the block hold for each task; delegate_to and throttle fill in where a
  // task has none.
  static void InheritBlockKeywords(std::vector<Task>& tasks, const Task& block) {
    for (Task& task : tasks) {
      task.when.insert(task.when.begin(), block.when.begin(), block.when.end());
      task.no_log = task.no_log || block.no_log;
      task.ignore_errors = task.ignore_errors || block.ignore_errors;
      task.run_once = task.run_once || block.run_once;
      if (task.delegate_to.empty()) task.delegate_to = block.delegate_to;
      if (task.throttle == 0) task.throttle = block.throttle;
      InheritBlockKeywords(task.block, block);
      InheritBlockKeywords(task.rescue, block);
      InheritBlockKeywords(task.always, block);
    }
  }

  Task LoadTask(const YAML::Node& node, const std::vector<std::string>& inherited_tags,
                const Value& inherited_vars) {
    if (!node.IsMap()) Fail(node, "expected a task (a mapping with a module)");
    Task task;
    task.where = LocationOf(node, file_);
    task.tags = inherited_tags;
    task.vars = inherited_vars;
    const std::set<std::string> keywords(kTaskKeywords.begin(), kTaskKeywords.end());
    YAML::Node module_node, module_key, args_node;
    bool has_module = false, has_args = false;
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      if (key == "name")
        task.name = Scalar(kv.second, key);
      else if (key == "when")
        task.when = StringList(kv.second, key);
      else if (key == "register")
        task.register_as = Scalar(kv.second, key);
      else if (key == "run_once")
        task.run_once = Bool(kv.second, key);
      else if (key == "ignore_errors")
        task.ignore_errors = Bool(kv.second, key);
      else if (key == "no_log")
        task.no_log = Bool(kv.second, key);
      else if (key == "delegate_to")
        task.delegate_to = Scalar(kv.second, key);
      else if (key == "throttle") {
        Value v = YamlToValue(kv.second);
        if (!v.is_number_integer() || v.get<int>() < 1)
          Fail(kv.second, "'throttle' must be a positive integer");
        task.throttle = v.get<int>();
      } else if (key == "changed_when")
        task.changed_when = JoinConditions(kv.second, key);
      else if (key == "failed_when")
        task.failed_when = JoinConditions(kv.second, key);
      else if (key == "tags") {
        for (auto& tag : StringList(kv.second, key)) task.tags.push_back(tag);
      } else if (key == "vars") {
        task.vars.update(Dict(kv.second, key));
      } else if (key == "loop" || key == "with_items") {
        task.loop = YamlToValue(kv.second);
      } else if (key == "loop_control") {
        Value control = Dict(kv.second, key);
        for (auto& [k, v] : control.items()) {
          if (k != "loop_var" || !v.is_string())
            Fail(kv.second, "loop_control supports only 'loop_var' (a string)");
          task.loop_var = v.get<std::string>();
        }
      } else if (key == "args") {
        args_node = kv.second;
        has_args = true;
        if (!args_node.IsMap()) Fail(kv.second, "'args' must be a mapping");
      } else if (key == "block" || key == "rescue" || key == "always" || key == "become" ||
                 key == "import_tasks") {
        // handled below (become is accepted and ignored, as for plays)
      } else {
        if (has_module) {
          if (FindModule(key) == nullptr) Fail(kv.first, UnknownKey(key));
          Fail(kv.first, "a task runs exactly one module, found '" + module_key.as<std::string>() +
                             "' and '" + key + "'");
        }
        module_key = kv.first;
        module_node = kv.second;
        has_module = true;
      }
    }
    if (node["import_tasks"]) {
      if (has_module) Fail(module_key, "import_tasks cannot also run a module");
      if (node["block"] || node["rescue"] || node["always"])
        Fail(node["import_tasks"], "import_tasks cannot also have a block");
      return ImportTasks(node["import_tasks"], std::move(task));
    }
    if (node["block"]) {
      if (has_module) Fail(module_key, "a block cannot also run a module");
      task.is_block = true;
      task.block = LoadTaskList(node["block"], "block", task.tags, task.vars);
      if (node["rescue"])
        task.rescue = LoadTaskList(node["rescue"], "rescue", task.tags, task.vars);
      if (node["always"])
        task.always = LoadTaskList(node["always"], "always", task.tags, task.vars);
      InheritBlockKeywords(task.block, task);
      InheritBlockKeywords(task.rescue, task);
      InheritBlockKeywords(task.always, task);
      if (task.name.empty()) task.name = "block";
      return task;
    }
    if (node["rescue"] || node["always"]) Fail(node, "'rescue' and 'always' belong to a 'block'");
    if (!has_module) Fail(node, "the task names no module");
    const std::string module_name = module_key.as<std::string>();
    task.module = FindModule(module_name);
    if (task.module == nullptr) Fail(module_key, UnknownKey(module_name));
    task.module_name = std::string(task.module->name());
    task.args = LoadArgs(*task.module, module_key, module_node, has_args ? &args_node : nullptr);
    if (task.name.empty()) task.name = task.module_name;
    return task;
  }

  // `import_tasks: FILE` (relative to the file that imports it): a static
  // include, as in Ansible: its tasks are loaded now, as a block without
  // rescue, so the import's when, tags, vars and other keywords apply to
  // each of them; errors name the imported file.
  Task ImportTasks(const YAML::Node& file_node, Task task) {
    const std::string relative = Scalar(file_node, "import_tasks");
    if (import_depth_ >= kMaxImportDepth) {
      Fail(file_node, "import_tasks nested more than " + std::to_string(kMaxImportDepth) +
                          " deep (do the files import each other?)");
    }
    const std::string path =
        (std::filesystem::absolute(file_).parent_path() / relative).lexically_normal().string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      Fail(file_node, "import_tasks: no file " + path);
    }
    const YAML::Node tasks = LoadYamlFile(path);
    const std::string importer = file_;
    file_ = path;
    ++import_depth_;
    try {
      if (!tasks.IsSequence()) Fail(tasks, "expected a list of tasks");
      task.block = LoadTaskList(tasks, "import_tasks", task.tags, task.vars);
    } catch (...) {
      file_ = importer;
      --import_depth_;
      throw;
    }
    file_ = importer;
    --import_depth_;
    task.is_block = true;
    InheritBlockKeywords(task.block, task);
    if (task.name.empty()) task.name = "import_tasks " + relative;
    return task;
  }

  std::string UnknownKey(const std::string& key) const {
    std::vector<std::string> all = ModuleNames();
    all.insert(all.end(), kTaskKeywords.begin(), kTaskKeywords.end());
    return "unknown module or task keyword '" + key + "'" + DidYouMean(key, all);
  }

  std::string JoinConditions(const YAML::Node& node, const std::string& field) const {
    std::string joined;
    for (const auto& condition : StringList(node, field)) {
      joined += (joined.empty() ? "(" : " and (") + condition + ")";
    }
    return joined;
  }

  Value LoadArgs(const Module& module, const YAML::Node& key, const YAML::Node& value,
                 const YAML::Node* args_node) const {
    Value args = Value::object();
    if (value.IsScalar()) {
      if (module.free_form()) {
        args["_raw_params"] = value.Scalar();
      } else {
        args = ParseKeyValues(value);
      }
    } else if (value.IsMap()) {
      args = YamlToValue(value);
    } else if (!value.IsNull()) {
      Fail(value, "arguments of '" + std::string(module.name()) + "' must be a mapping");
    }
    if (args_node != nullptr) args.update(YamlToValue(*args_node));

    std::vector<std::string> known;
    for (const auto& spec : module.args()) known.push_back(spec.name);
    if (module.free_form()) known.push_back("_raw_params");
    for (auto& [name, v] : args.items()) {
      if (!module.accepts_any_args() &&
          std::find(known.begin(), known.end(), name) == known.end()) {
        YAML::Node where = value.IsMap() && value[name] ? value[name] : key;
        Fail(where, "unknown argument '" + name + "' for module '" + std::string(module.name()) +
                        "'" + DidYouMean(name, known));
      }
    }
    for (const auto& spec : module.args()) {
      if (spec.required && !args.contains(spec.name)) {
        Fail(key, "module '" + std::string(module.name()) + "' needs argument '" + spec.name + "'");
      }
    }
    return args;
  }

  // `file: path=/x state=directory`: Ansible's key=value shorthand.
  Value ParseKeyValues(const YAML::Node& node) const {
    Value args = Value::object();
    const std::string& text = node.Scalar();
    size_t i = 0;
    while (i < text.size()) {
      while (i < text.size() && text[i] == ' ') ++i;
      if (i >= text.size()) break;
      size_t eq = text.find('=', i);
      size_t space = text.find(' ', i);
      if (eq == std::string::npos || (space != std::string::npos && space < eq)) {
        Fail(node, "expected key=value arguments, got '" + text.substr(i, space - i) + "'");
      }
      std::string key = text.substr(i, eq - i);
      std::string value;
      i = eq + 1;
      if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
        char quote = text[i++];
        size_t end = text.find(quote, i);
        if (end == std::string::npos) Fail(node, "unterminated quote in arguments");
        value = text.substr(i, end - i);
        i = end + 1;
      } else {
        size_t end = text.find(' ', i);
        value = text.substr(i, end == std::string::npos ? std::string::npos : end - i);
        i = end == std::string::npos ? text.size() : end;
      }
      args[key] = value;
    }
    return args;
  }

  std::string file_;  // the file being read (an imported one while importing)
  int import_depth_ = 0;
};

}  // namespace

Playbook LoadPlaybook(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw ConfigError(SourceLocation{path, 0, 0}, "playbook not found");
  }
  return Loader(path).Load();
}

}  // namespace deployctl
