// UTF-8 by code point, as Python's str counts: for templates (lengths,
// indexes, case changes) and for the Python literals of INI inventories.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace deployctl {

// Code points, each as its UTF-8 bytes. Invalid bytes count as one each.
std::vector<std::string_view> SplitCodePoints(std::string_view text);
size_t CodePointCount(std::string_view text);

// Appends `code_point` encoded as UTF-8.
void AppendUtf8(std::string& out, uint32_t code_point);
// The code point at text[i], advancing i; an invalid byte decodes as itself.
uint32_t DecodeUtf8(std::string_view text, size_t& i);

}  // namespace deployctl
