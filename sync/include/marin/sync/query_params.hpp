// A request's query parameters, in order (the key is added by ApiClient).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace marin::sync {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

}  // namespace marin::sync
