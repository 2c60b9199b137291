#include "orchestrator/yaml/yaml_value.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <regex>
#include <sstream>

#include "orchestrator/core/strings.h"

namespace deployctl {
YAML::Node LoadYamlText(const std::string& text, const std::string& name) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    SourceLocation where{name, e.mark.is_null() ? 0 : e.mark.line + 1,
                         e.mark.is_null() ? 0 : e.mark.column + 1};
    throw ConfigError(where, "invalid YAML: " + e.msg);
  }
}

YAML::Node LoadYamlFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(SourceLocation{path, 0, 0}, "cannot read file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return LoadYamlText(buffer.str(), path);
}

Value TypedScalar(const std::string& text) {
  const std::string lower = Lower(text);
  if (lower.empty() || lower == "~" || lower == "null") return nullptr;
  if (lower == "true" || lower == "yes" || lower == "on") return true;
  if (lower == "false" || lower == "no" || lower == "off") return false;
  static const std::regex kInt("[-+]?(0|[1-9][0-9_]*)");
  static const std::regex kHex("0x[0-9a-fA-F]+");
  static const std::regex kOct("0o?[0-7]+");
  static const std::regex kFloat(R"([-+]?([0-9][0-9_]*)?\.[0-9]+([eE][-+]?[0-9]+)?)");
  try {
    if (std::regex_match(text, kInt)) {
      std::string digits = text;
      digits.erase(std::remove(digits.begin(), digits.end(), '_'), digits.end());
      return std::stoll(digits);
    }
    if (std::regex_match(text, kHex)) return std::stoll(text.substr(2), nullptr, 16);
    if (text.size() > 1 && std::regex_match(text, kOct)) {
      return std::stoll(text.substr(text[1] == 'o' ? 2 : 1), nullptr, 8);
    }
    if (std::regex_match(text, kFloat)) return std::stod(text);
  } catch (const std::out_of_range&) {
    return text;  // too large for a number: keep the text
  }
  return text;
}

Value YamlToValue(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      // yaml-cpp tags plain scalars "?" and quoted ones "!".
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return node.Scalar();
      return TypedScalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      Value list = Value::array();
      for (const auto& item : node) list.push_back(YamlToValue(item));
      return list;
    }
    case YAML::NodeType::Map: {
      Value dict = Value::object();
      for (const auto& kv : node) dict[kv.first.as<std::string>()] = YamlToValue(kv.second);
      return dict;
    }
  }
  return nullptr;
}

SourceLocation LocationOf(const YAML::Node& node, const std::string& file) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return SourceLocation{file, 0, 0};
  return SourceLocation{file, mark.line + 1, mark.column + 1};
}

}  // namespace deployctl
