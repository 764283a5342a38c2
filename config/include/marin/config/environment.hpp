#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace marin::config {

// The environment variables the loader may read, passed in so that the
// loader reads no global state: from_process() in production, a literal map
// in tests.
class Environment {
  public:
    using Map = std::map<std::string, std::string, std::less<>>;

    Environment() = default;
    explicit Environment(Map vars) : vars_(std::move(vars)) {}
    Environment(std::initializer_list<Map::value_type> vars) : vars_(vars) {}

    // A copy of this process's environment (environ).
    static Environment from_process();

    // The variable's value, or nullopt when it is not set. The loader treats
    // a variable set to "" as not set.
    std::optional<std::string> get(std::string_view name) const;
    void set(std::string name, std::string value) { vars_.insert_or_assign(std::move(name), std::move(value)); }
    void unset(std::string_view name);
    const Map& vars() const { return vars_; }

  private:
    Map vars_;
};

}  // namespace marin::config
