#pragma once
// The typed reader of a config file (private to config/): values of the
// wanted type and range or an error naming the file, line and column, the
// setting and what is allowed; secrets never appear in a message. A Section
// remembers which keys were asked for, so that the rest can be reported as
// unknown.

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "checks.hpp"
#include "marin/config/environment.hpp"

namespace marin::config::detail {

// "a string", "an integer", ... for messages.
std::string type_name(const toml::node& node);
// The value as the file wrote it, shortened, on one line.
std::string render(const toml::node& node);
// An environment variable, "" counting as unset.
std::optional<std::string> non_empty(const Environment& env, std::string_view name);

// One [table] of the file: hands out its values and remembers which keys
// were asked for, so that anything else is reported as unknown.
class Section {
  public:
    Section(std::string_view name, const toml::table* table) : name_(name), table_(table) {}

    const toml::node* take(std::string_view key) {
        known_.push_back(key);
        return table_ ? table_->get(key) : nullptr;
    }
    std::string full_name(std::string_view key) const { return name_ + "." + std::string(key); }
    const std::string& name() const { return name_; }
    const toml::table* table() const { return table_; }
    const std::vector<std::string_view>& known() const { return known_; }

  private:
    std::string name_;
    const toml::table* table_;
    std::vector<std::string_view> known_;
};

class SettingsReader {
  public:
    // `file`: empty when there is none (messages then come from the environment).
    explicit SettingsReader(std::filesystem::path file) : file_(std::move(file)) {}

    // A value that must never come back in a message (the API key).
    void add_secret(std::string secret) { secrets_.push_back(std::move(secret)); }
    const std::filesystem::path& file() const { return file_; }

    // ---- messages ----
    std::string scrub(std::string message) const;
    // "config FILE:LINE:COLUMN: "
    std::string where(const toml::source_region& source) const;
    [[noreturn]] void fail(const toml::source_region& source, const std::string& message) const;
    // `message` starts with the variable's name.
    [[noreturn]] void fail_env(const std::string& message) const;
    [[noreturn]] void wrong_type(const std::string& name, const toml::node& node, const std::string& expected) const;

    // ---- typed values ----
    std::int64_t integer(const std::string& name, const toml::node& node, std::int64_t low, std::int64_t high) const;

    template <class T>
    void read_integer(Section& section, std::string_view key, T& target, std::int64_t low, std::int64_t high) const {
        if (const auto* node = section.take(key)) {
            target = static_cast<T>(integer(section.full_name(key), *node, low, high));
        }
    }

    template <class Duration, class Unit>
    void read_duration(Section& section, std::string_view key, Duration& target, std::int64_t low,
                       std::int64_t high) const {
        if (const auto* node = section.take(key)) {
            target = std::chrono::duration_cast<Duration>(Unit(integer(section.full_name(key), *node, low, high)));
        }
    }

    void read_number(Section& section, std::string_view key, double& target, double low, double high) const;
    void read_bool(Section& section, std::string_view key, bool& target) const;
    // The node read (nullptr when the key is absent), for checks of its own.
    const toml::node* read_string(Section& section, std::string_view key, std::string& target,
                                  const std::string& expected) const;

    template <class E, std::size_t N>
    void read_enum(Section& section, std::string_view key, E& target,
                   const std::array<std::pair<std::string_view, E>, N>& names) const {
        const auto* node = section.take(key);
        if (!node) return;
        std::array<std::string_view, N> candidates;
        for (std::size_t i = 0; i < N; ++i) candidates[i] = names[i].first;
        const auto* value = node->as_string();
        if (!value) wrong_type(section.full_name(key), *node, "one of " + allowed_names(candidates));
        for (const auto& [text, e] : names) {
            if (value->get() == text) {
                target = e;
                return;
            }
        }
        not_allowed(section.full_name(key), *node, candidates);
    }

    // A path from the file, relative to the file's folder.
    std::filesystem::path relative_to_file(const std::string& path) const;

  private:
    static std::string allowed_names(std::span<const std::string_view> names);
    [[noreturn]] void not_allowed(const std::string& name, const toml::node& node,
                                  std::span<const std::string_view> names) const;

    std::filesystem::path file_;
    std::vector<std::string> secrets_;
};

}  // namespace marin::config::detail
