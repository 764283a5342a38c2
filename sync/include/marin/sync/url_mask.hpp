// Keep the API key out of logs, errors and metrics.
#pragma once

#include <string>
#include <string_view>

namespace marin::sync {

// Replaces the value of every `key=` query parameter, and every occurrence of
// the literal `key` (also its percent-encoded form), with "***". An empty
// `key` still masks `key=` parameter values.
std::string mask_key(std::string_view url_or_text, std::string_view key);

}  // namespace marin::sync
