// "Did you mean" suggestions for unknown names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace deployctl {

// The candidate closest to `word` by edit distance, if close enough to be a
// plausible typo; empty otherwise.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "".
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace deployctl
