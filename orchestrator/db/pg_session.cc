#include "orchestrator/db/pg_session.h"

#include <libpq-fe.h>

#include "orchestrator/core/strings.h"

namespace deployctl::db {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::vector<ScriptStatement> SplitScript(const std::string& script) {
  std::vector<ScriptStatement> statements;
  std::string current;
  size_t start = 0;
  while (start < script.size()) {
    size_t end = script.find('\n', start);
    if (end == std::string::npos) end = script.size();
    std::string line = script.substr(start, end - start);
    start = end + 1;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    const size_t first = line.find_first_not_of(' ');
    if (first == std::string::npos || line.compare(first, 2, "--") == 0) continue;
    constexpr std::string_view kGexec = "\\gexec";
    if (line.ends_with(kGexec)) {
      current += line.substr(0, line.size() - kGexec.size());
      statements.push_back({Trim(current), true});
      current.clear();
    } else if (line.ends_with(';')) {
      current += line.substr(0, line.size() - 1);
      statements.push_back({Trim(current), false});
      current.clear();
    } else {
      current += line + "\n";
    }
  }
  if (!Trim(current).empty()) statements.push_back({Trim(current), false});
  return statements;
}

std::string BindVariables(const std::string& sql, const std::map<std::string, std::string>& vars,
                          const std::function<std::string(const std::string&)>& literal,
                          const std::function<std::string(const std::string&)>& identifier) {
  std::string out;
  size_t i = 0;
  while (i < sql.size()) {
    if (sql[i] == ':' && i + 1 < sql.size() && (sql[i + 1] == '\'' || sql[i + 1] == '"') &&
        (i == 0 || sql[i - 1] != ':')) {
      const char quote = sql[i + 1];
      size_t j = i + 2;
      while (j < sql.size() && IsNameChar(sql[j])) ++j;
      if (j < sql.size() && sql[j] == quote && j > i + 2) {
        const std::string name = sql.substr(i + 2, j - i - 2);
        auto it = vars.find(name);
        if (it == vars.end()) throw PgError("SQL variable '" + name + "' is not set");
        out += quote == '\'' ? literal(it->second) : identifier(it->second);
        i = j + 1;
        continue;
      }
    }
    out += sql[i++];
  }
  return out;
}

struct PgSession::Impl {
  PGconn* conn = nullptr;
};

PgSession::PgSession(const PgParams& params) : impl_(std::make_unique<Impl>()) {
  const std::string port = std::to_string(params.port);
  const std::string timeout = std::to_string(params.connect_timeout_seconds);
  const char* keys[] = {
      "host",       "port", "user", "password", "dbname", "connect_timeout", "application_name",
      "gssencmode", nullptr};
  const char* values[] = {params.host.c_str(),
                          port.c_str(),
                          params.user.c_str(),
                          params.password.c_str(),
                          params.dbname.c_str(),
                          timeout.c_str(),
                          "deployctl",
                          "disable",
                          nullptr};
  impl_->conn = PQconnectdbParams(keys, values, 0);
  if (impl_->conn == nullptr) throw PgError("libpq could not allocate a connection");
  if (PQstatus(impl_->conn) != CONNECTION_OK) {
    std::string message = Trim(PQerrorMessage(impl_->conn));
    PQfinish(impl_->conn);
    impl_->conn = nullptr;
    throw PgError(message);
  }
}

PgSession::~PgSession() {
  if (impl_ && impl_->conn != nullptr) PQfinish(impl_->conn);
}

std::string PgSession::Exec(const std::string& sql, std::vector<std::string>* cells) {
  PGresult* result = PQexec(impl_->conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::string message =
        Trim(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(impl_->conn));
    PQclear(result);
    throw PgError(message);
  }
  std::string out;
  if (status == PGRES_TUPLES_OK) {
    for (int row = 0; row < PQntuples(result); ++row) {
      std::string line;
      for (int col = 0; col < PQnfields(result); ++col) {
        const std::string cell = PQgetisnull(result, row, col) ? "" : PQgetvalue(result, row, col);
        if (cells != nullptr && !PQgetisnull(result, row, col)) cells->push_back(cell);
        line += (col ? "|" : "") + cell;
      }
      out += line + "\n";
    }
  }
  PQclear(result);
  return out;
}

std::string PgSession::RunScript(const std::string& script,
                                 const std::map<std::string, std::string>& vars) {
  auto literal = [&](const std::string& value) {
    char* escaped = PQescapeLiteral(impl_->conn, value.c_str(), value.size());
    if (escaped == nullptr) throw PgError(Trim(PQerrorMessage(impl_->conn)));
    std::string text(escaped);
    PQfreemem(escaped);
    return text;
  };
  auto identifier = [&](const std::string& value) {
    char* escaped = PQescapeIdentifier(impl_->conn, value.c_str(), value.size());
    if (escaped == nullptr) throw PgError(Trim(PQerrorMessage(impl_->conn)));
    std::string text(escaped);
    PQfreemem(escaped);
    return text;
  };
  std::string out;
  try {
    for (const ScriptStatement& statement : SplitScript(script)) {
      const std::string sql = BindVariables(statement.sql, vars, literal, identifier);
      if (!statement.gexec) {
        out += Exec(sql, nullptr);
        continue;
      }
      std::vector<std::string> generated;
      Exec(sql, &generated);
      for (const std::string& each : generated) out += Exec(each, nullptr);
    }
  } catch (const PgError&) {
    // As psql ending the session: an open transaction is rolled back.
    if (PQtransactionStatus(impl_->conn) != PQTRANS_IDLE) {
      PQclear(PQexec(impl_->conn, "ROLLBACK"));
    }
    throw;
  }
  return out;
}

}  // namespace deployctl::db
