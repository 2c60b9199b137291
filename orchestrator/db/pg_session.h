// The one place libpq is used: a PostgreSQL session from the controller,
// usually through an SSH port forward (Transport::OpenLocalForward) to the
// database host. It runs the same SQL scripts the database steps give psql
// (orchestrator/app/db_restore.h), so both paths share one text:
//   - statements end with ';' at the end of a line;
//   - a query ending in `\gexec` has every cell of its result run as a
//     statement, in order (as psql does);
//   - `:'name'` and `:"name"` are psql variables, replaced by the value
//     escaped as a literal (PQescapeLiteral) or an identifier
//     (PQescapeIdentifier);
//   - lines starting with `--` are comments.
// Not thread-safe; one session per thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace deployctl::db {

struct PgParams {
  std::string host = "127.0.0.1";
  int port = 5432;
  std::string user;
  std::string password;  // may be empty (trust, or .pgpass); never printed
  std::string dbname;
  int connect_timeout_seconds = 10;
};

// A failed connection or statement; what() is PostgreSQL's message, never
// the password.
class PgError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The parts of a psql-style script, in order (see above). Exposed for tests.
struct ScriptStatement {
  std::string sql;     // without the terminator
  bool gexec = false;  // run the result's cells as statements
};
std::vector<ScriptStatement> SplitScript(const std::string& script);

// `sql` with :'name' and :"name" replaced through the two escapers. Throws
// PgError for a variable that `vars` does not have.
std::string BindVariables(const std::string& sql, const std::map<std::string, std::string>& vars,
                          const std::function<std::string(const std::string&)>& literal,
                          const std::function<std::string(const std::string&)>& identifier);

class PgSession {
 public:
  // Connects; throws PgError with the server's or libpq's message.
  explicit PgSession(const PgParams& params);
  ~PgSession();
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  // Runs a script; returns what psql -A -t would print: one line per row
  // of every query (cells joined with '|'). Throws PgError naming the
  // statement that failed; statements before it stay done (as psql with
  // ON_ERROR_STOP).
  std::string RunScript(const std::string& script, const std::map<std::string, std::string>& vars);

 private:
  std::string Exec(const std::string& sql, std::vector<std::string>* cells);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace deployctl::db
