#pragma once

#include <stdexcept>

namespace marin::config {

// A configuration the process cannot run with (exit status 2). The message
// names where (file:line:column, environment variable or key file), the key,
// the value given and what is allowed; it never holds the API key.
class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace marin::config
