#include "orchestrator/app/rollback_schema.h"

namespace deployctl {

RollbackSchemaVerdict JudgeRollbackSchema(const RollbackSchemaFacts& facts) {
  RollbackSchemaVerdict verdict;
  const bool unreadable = !facts.read_error.empty() || !facts.now;
  const std::string why_unreadable = facts.read_error.empty() ? "no answer" : facts.read_error;
  if (unreadable && !facts.force) {
    verdict.refused = true;
    verdict.message = "cannot check the database schema of " + facts.app +
                      " before rolling back: " + why_unreadable +
                      "; nothing was changed. Use --force to roll the code back without the check";
    return verdict;
  }
  if (!facts.recorded) {
    verdict.warning = "no schema revision is recorded for release " + facts.target +
                      ", so the database schema was not checked";
    verdict.message = verdict.warning;
    return verdict;
  }
  if (unreadable) {
    verdict.warning = "--force: the database schema was not checked (" + why_unreadable + ")";
    verdict.message = verdict.warning;
    return verdict;
  }
  if (*facts.now == *facts.recorded) {
    verdict.message = "the database schema of " + facts.app + " is the one release " +
                      facts.target + " ran with (schema revision " + *facts.now + ")";
    return verdict;
  }
  if (!facts.force) {
    verdict.refused = true;
    verdict.message = "the database schema of " + facts.app + " has moved on since release " +
                      facts.target + ": schema revision " + *facts.recorded + " then, " +
                      *facts.now +
                      " now; nothing was changed. Roll back with the database (--restore-database" +
                      (facts.backup.empty() ? "" : ", which restores " + facts.backup) +
                      ") or roll the code back alone anyway (--force)";
    return verdict;
  }
  verdict.warning = "--force: release " + facts.target +
                    " runs on a database whose schema moved on (revision " + *facts.recorded +
                    " at that release, " + *facts.now + " now)";
  verdict.message = verdict.warning;
  verdict.history_note = " (forced: schema revision " + *facts.now + ", release " + facts.target +
                         " recorded " + *facts.recorded + ")";
  return verdict;
}

}  // namespace deployctl
