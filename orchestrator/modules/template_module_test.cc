#include "orchestrator/modules/template_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/modules/module_test_util.h"

using deployctl::TemplateModule;
using deployctl::Value;
using deployctl::testing::ModuleHarness;
using deployctl::testing::TempDir;
using Strings = std::vector<std::string>;

TEST_CASE("template renders from templates/ and writes once", "[modules][template]") {
  TempDir project;
  project.Write("templates/env.j2", "DB={{ db_name }}\n");
  project.Write("env.j2", "the other one\n");
  ModuleHarness h;
  h.project_dir = project.path();
  h.vars = {{"db_name", "myapp"}};
  h.host.AddDir("/srv/app");
  const Value args = {{"src", "env.j2"}, {"dest", "/srv/app/.env"}, {"mode", "0600"}};
  auto first = h.Run(TemplateModule(), args);
  CHECK(h.host.log() == Strings{"write: /srv/app/.env 0600"});
  CHECK(h.host.Find("/srv/app/.env")->content == "DB=myapp\n");
  CHECK(first.changed);

  h.host.ClearLog();
  auto second = h.Run(TemplateModule(), args);
  CHECK_FALSE(second.changed);
  CHECK(h.host.log().empty());

  h.vars["db_name"] = "other";
  CHECK(h.Run(TemplateModule(), args).msg == "updated /srv/app/.env");
}

TEST_CASE("template falls back to the project directory", "[modules][template]") {
  TempDir project;
  project.Write("conf/app.ini.j2", "x={{ x }}");
  ModuleHarness h;
  h.project_dir = project.path();
  h.vars = {{"x", 1}};
  h.host.AddDir("/etc/app");
  auto r = h.Run(TemplateModule(), {{"src", "conf/app.ini.j2"}, {"dest", "/etc/app/"}});
  CHECK(r.data["dest"] == "/etc/app/app.ini.j2");
  CHECK(h.host.Find("/etc/app/app.ini.j2")->content == "x=1");
}

TEST_CASE("template errors name the template file", "[modules][template]") {
  TempDir project;
  project.Write("templates/env.j2", "DB={{ db_name }}\n");
  ModuleHarness h;
  h.project_dir = project.path();
  h.host.AddDir("/srv/app");
  auto r = h.Run(TemplateModule(), {{"src", "env.j2"}, {"dest", "/srv/app/.env"}});
  CHECK(r.failed);
  CHECK_THAT(r.msg, Catch::StartsWith("templates/env.j2: ") && Catch::Contains("db_name"));
  CHECK(h.host.log().empty());

  auto missing = h.Run(TemplateModule(), {{"src", "nope.j2"}, {"dest", "/srv/app/x"}});
  CHECK(missing.msg == "template: src 'nope.j2' not found (looked in " + project.path() +
                           "/templates/nope.j2, " + project.path() + "/nope.j2)");
}

TEST_CASE("template in --check writes nothing", "[modules][template]") {
  TempDir project;
  project.Write("templates/a.j2", "a");
  ModuleHarness h;
  h.project_dir = project.path();
  h.host.AddDir("/srv");
  auto r = h.Check(TemplateModule(), {{"src", "a.j2"}, {"dest", "/srv/a"}});
  CHECK(h.plan == Strings{"write: /srv/a (1 bytes, mode 0644)"});
  CHECK(h.host.Find("/srv/a") == nullptr);
  CHECK(r.msg == "would create /srv/a");
}
