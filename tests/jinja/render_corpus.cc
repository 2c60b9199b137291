// Renders template cases with deployctl's engine for the differential test
// against Jinja (tests/jinja/differential.py).
//
// Reads JSON lines on stdin, {"name": ..., "template": ..., "vars": {...}},
// and writes one JSON line per case on stdout: {"name": ..., "output": ...}
// or {"name": ..., "error": ...}. One process renders the whole corpus.
#include <exception>
#include <iostream>
#include <string>

#include "orchestrator/vars/template.h"

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    deployctl::Value out = deployctl::Value::object();
    try {
      deployctl::Value in = deployctl::Value::parse(line);
      out["name"] = in.value("name", "");
      const deployctl::Value vars = in.value("vars", deployctl::Value::object());
      out["output"] = deployctl::RenderTemplateText(in.at("template").get<std::string>(), vars);
    } catch (const std::exception& e) {
      out.erase("output");
      out["error"] = e.what();
    }
    // Invalid UTF-8 in an output must not abort the whole run.
    std::cout << out.dump(-1, ' ', false, deployctl::Value::error_handler_t::replace) << '\n';
  }
  return 0;
}
