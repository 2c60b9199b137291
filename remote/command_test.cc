#include "remote/command.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <stdexcept>

#include "remote/local/local_transport.h"

namespace deployctl::remote {
namespace {

// Words that break naive quoting. Each must reach the program unchanged.
const std::vector<std::string>& NastyWords() {
  static const std::vector<std::string> words = {
      "",
      " ",
      "  two  spaces  ",
      "plain",
      "a b",
      "'",
      "''",
      "it's",
      "\"",
      "\"quoted\"",
      "'\"'\"'",
      "$HOME",
      "${HOME:-x}",
      "$(echo pwned)",
      "`echo pwned`",
      "a\nb",
      "\n",
      "\t",
      "*",
      "?",
      "[a-z]*",
      "~",
      "~root",
      "-n",
      "-e",
      "--",
      "-",
      "\\",
      "\\n",
      "a\\'b",
      "&&",
      ";",
      "|",
      ">",
      "<",
      "!",
      "#comment",
      "héllo ☃ 日本語",
      "a=b",
      "=",
      "%s",
      "%%",
      "{a,b}",
      "\x01\x1f\x7f",
      "trailing\\",
      "'leading",
      "trailing'",
      "@%+=:,./_-",
  };
  return words;
}

std::string NulJoined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += word + '\0';
  return out;
}

TEST_CASE("ShellQuote leaves safe words alone", "[command]") {
  CHECK(ShellQuote("abc") == "abc");
  CHECK(ShellQuote("/srv/app/releases/20240101-1") == "/srv/app/releases/20240101-1");
  CHECK(ShellQuote("user@host:8080,a+b=c%d") == "user@host:8080,a+b=c%d");
  CHECK(ShellQuote("--flag") == "--flag");
}

TEST_CASE("ShellQuote single-quotes everything else", "[command]") {
  CHECK(ShellQuote("") == "''");
  CHECK(ShellQuote("a b") == "'a b'");
  CHECK(ShellQuote("it's") == "'it'\\''s'");
  CHECK(ShellQuote("'") == "''\\'''");
  CHECK(ShellQuote("$HOME") == "'$HOME'");
  CHECK(ShellQuote("a\nb") == "'a\nb'");
  CHECK(ShellQuote("~") == "'~'");
}

TEST_CASE("RenderCommand quotes argv word by word", "[command]") {
  CHECK(RenderCommand(Command::Argv({"ls", "-la", "/srv/my app"})) == "ls -la '/srv/my app'");
}

TEST_CASE("RenderCommand puts cd and env in front", "[command]") {
  Command command = Command::Argv({"bundle", "exec", "rake", "db:migrate"});
  command.cwd = "/srv/app/current";
  command.env = {{"RAILS_ENV", "production"}, {"GREETING", "hello world"}};
  CHECK(RenderCommand(command) ==
        "cd /srv/app/current && env 'GREETING=hello world' RAILS_ENV=production "
        "bundle exec rake db:migrate");
}

TEST_CASE("RenderCommand runs a shell script with sh -c", "[command]") {
  Command command = Command::Shell("pg_dump app | zstd > '/tmp/x y.zst'");
  CHECK(RenderCommand(command) == "sh -c 'pg_dump app | zstd > '\\''/tmp/x y.zst'\\'''");
  command.cwd = "/srv";
  command.env = {{"PGHOST", "db"}};
  CHECK(RenderCommand(command) ==
        "cd /srv && env PGHOST=db sh -c 'pg_dump app | zstd > '\\''/tmp/x y.zst'\\'''");
}

TEST_CASE("RenderCommand quotes a first word with = so it is not an assignment", "[command]") {
  CHECK(RenderCommand(Command::Argv({"a=b", "c=d"})) == "'a=b' c=d");
}

TEST_CASE("RenderCommand guards a cwd that looks like an option", "[command]") {
  Command command = Command::Argv({"true"});
  command.cwd = "-weird";
  CHECK(RenderCommand(command) == "cd -- -weird && true");
}

TEST_CASE("RenderCommand rejects empty commands and bad variable names", "[command]") {
  CHECK_THROWS_AS(RenderCommand(Command{}), std::invalid_argument);
  Command command = Command::Argv({"true"});
  command.env = {{"BAD NAME", "x"}};
  CHECK_THROWS_AS(RenderCommand(command), std::invalid_argument);
}

// The torture test: nasty words through a real /bin/sh come back byte for byte.
TEST_CASE("Quoted argv survives a real /bin/sh byte for byte", "[command][torture]") {
  LocalTransport sh("localhost");
  std::vector<std::string> argv = {"printf", "%s\\0"};
  for (const auto& word : NastyWords()) argv.push_back(word);
  CommandResult result = sh.Run(Command::Argv(argv));
  INFO(RenderCommand(Command::Argv(argv)));
  INFO(result.err);
  REQUIRE(result.exit_status == 0);
  CHECK(result.out == NulJoined(NastyWords()));
}

TEST_CASE("Quoted env values survive a real /bin/sh byte for byte", "[command][torture]") {
  LocalTransport sh("localhost");
  for (const auto& word : NastyWords()) {
    Command command = Command::Argv({"sh", "-c", "printf '%s' \"$VALUE\""});
    command.env = {{"VALUE", word}};
    CommandResult result = sh.Run(command);
    INFO(RenderCommand(command));
    REQUIRE(result.exit_status == 0);
    CHECK(result.out == word);
  }
}

TEST_CASE("Quoted shell scripts survive a real /bin/sh byte for byte", "[command][torture]") {
  LocalTransport sh("localhost");
  std::string script = "printf '%s\\0'";
  for (const auto& word : NastyWords()) script += " " + ShellQuote(word);
  CommandResult result = sh.Run(Command::Shell(script));
  INFO(RenderCommand(Command::Shell(script)));
  REQUIRE(result.exit_status == 0);
  CHECK(result.out == NulJoined(NastyWords()));
}

TEST_CASE("Quoted cwd survives a real /bin/sh", "[command][torture]") {
  namespace fs = std::filesystem;
  fs::path base =
      fs::temp_directory_path() / ("deployctl-quote-test-" + std::to_string(::getpid()));
  fs::create_directories(base);
  LocalTransport sh("localhost");
  for (const std::string name : {"a b", "it's", "$(x)", "-dash", "héllo", "a\nb"}) {
    fs::path dir = base / name;
    fs::create_directories(dir);
    Command command = Command::Argv({"sh", "-c", "printf '%s' \"$PWD\""});
    command.cwd = dir.string();
    CommandResult result = sh.Run(command);
    INFO(RenderCommand(command) << "\n" << result.err);
    CHECK(result.out == dir.string());
  }
  fs::remove_all(base);
}

}  // namespace
}  // namespace deployctl::remote
