// Secrets never reach logs or output. Values registered here are replaced
// by "********" wherever text is about to be printed or logged.
//
// Process-wide on purpose: a secret found while loading the inventory must be
// masked in every later log line, on every thread. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace deployctl {

// Remember `secret` (ignored when shorter than 4 characters, which would
// mask ordinary words).
void RegisterSecret(std::string_view secret);

// True for variable names that conventionally hold secrets
// (password, passwd, secret, token, api_key, private_key, ...; not *_file).
bool IsSecretVariableName(std::string_view name);

// `text` with every registered secret replaced by "********".
std::string Redact(std::string_view text);

}  // namespace deployctl
