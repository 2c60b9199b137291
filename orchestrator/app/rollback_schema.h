// The rule for a code-only rollback: the release gone back to must run on
// the database schema it was deployed with. Written once, here; the
// rollback_schema_check module applies it.
#pragma once

#include <optional>
#include <string>

namespace deployctl {

struct RollbackSchemaFacts {
  std::string app;
  std::string target;                   // the release rolled back to
  std::optional<std::string> recorded;  // its schema revision, from the journal
  std::optional<std::string> now;       // the live database's, when it could be read
  std::string read_error;               // why it could not be read
  std::string backup;  // what --restore-database would restore ("" when none matches)
  bool force = false;
};

struct RollbackSchemaVerdict {
  bool refused = false;
  std::string message;  // refused: the error line; else what was decided
  std::string warning;  // not refused: what the user must be told ("" when nothing)
  // For the history record of a forced rollback over a moved schema.
  std::string history_note;
};

// Refused when the schema cannot be read, or moved on since the target
// release, unless `force` (then a warning names both revisions). A release
// with no recorded revision cannot be checked: a warning, not a refusal.
RollbackSchemaVerdict JudgeRollbackSchema(const RollbackSchemaFacts& facts);

}  // namespace deployctl
