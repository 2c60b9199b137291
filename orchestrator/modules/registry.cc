// The module table: every module, written out once. No self-registration,
// so what exists is readable here and nothing depends on static-init order.
#include <algorithm>
#include <vector>

#include "orchestrator/modules/command_module.h"
#include "orchestrator/modules/compose_module.h"
#include "orchestrator/modules/copy_module.h"
#include "orchestrator/modules/db_backup_module.h"
#include "orchestrator/modules/db_replaced_module.h"
#include "orchestrator/modules/db_restore_module.h"
#include "orchestrator/modules/db_verify_module.h"
#include "orchestrator/modules/debug_module.h"
#include "orchestrator/modules/deploy_history_module.h"
#include "orchestrator/modules/deploy_lock_module.h"
#include "orchestrator/modules/fail_module.h"
#include "orchestrator/modules/file_module.h"
#include "orchestrator/modules/healthcheck_module.h"
#include "orchestrator/modules/migrate_module.h"
#include "orchestrator/modules/module.h"
#include "orchestrator/modules/release_mark_module.h"
#include "orchestrator/modules/release_module.h"
#include "orchestrator/modules/release_prune_module.h"
#include "orchestrator/modules/release_switch_module.h"
#include "orchestrator/modules/rollback_plan_module.h"
#include "orchestrator/modules/rollback_schema_check_module.h"
#include "orchestrator/modules/schema_revision_module.h"
#include "orchestrator/modules/set_fact_module.h"
#include "orchestrator/modules/stat_module.h"
#include "orchestrator/modules/template_module.h"
#include "orchestrator/modules/wait_for_module.h"

namespace deployctl {
namespace {

const std::vector<const Module*>& AllModules() {
  // General-purpose modules (Ansible's names and arguments).
  static const CommandModule command;
  static const CopyModule copy;
  static const DebugModule debug;
  static const FailModule fail;
  static const FileModule file;
  static const SetFactModule set_fact;
  static const ShellModule shell;
  static const StatModule stat;
  static const TemplateModule template_module;
  static const WaitForModule wait_for;
  // The deploy domain: the steps of playbooks/*.yml.
  static const ComposeModule compose;
  static const DbBackupModule db_backup;
  static const DbReplacedModule db_replaced;
  static const DbRestoreModule db_restore;
  static const DbVerifyModule db_verify;
  static const HealthcheckModule healthcheck;
  static const MigrateModule migrate;
  static const RollbackPlanModule rollback_plan;
  static const RollbackSchemaCheckModule rollback_schema_check;
  static const SchemaRevisionModule schema_revision;
  static const std::vector<const Module*> all = {&command,
                                                 &copy,
                                                 &debug,
                                                 &fail,
                                                 &file,
                                                 &set_fact,
                                                 &shell,
                                                 &stat,
                                                 &template_module,
                                                 &wait_for,
                                                 &compose,
                                                 &db_backup,
                                                 &db_replaced,
                                                 &db_restore,
                                                 &db_verify,
                                                 &healthcheck,
                                                 &migrate,
                                                 &rollback_plan,
                                                 &rollback_schema_check,
                                                 &schema_revision,
                                                 &DeployHistoryModule(),
                                                 &DeployLockModule(),
                                                 &ReleaseMarkModule(),
                                                 &ReleaseModule(),
                                                 &SharedCheckModule(),
                                                 &ReleasePruneModule(),
                                                 &ReleaseSwitchModule()};
  return all;
}

}  // namespace

const Module* FindModule(std::string_view name) {
  constexpr std::string_view kBuiltin = "ansible.builtin.";
  if (name.starts_with(kBuiltin)) name.remove_prefix(kBuiltin.size());
  for (const Module* module : AllModules()) {
    if (module->name() == name) return module;
  }
  return nullptr;
}

std::vector<std::string> ModuleNames() {
  std::vector<std::string> names;
  for (const Module* module : AllModules()) names.emplace_back(module->name());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace deployctl
