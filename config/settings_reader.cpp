// The typed reader of a config file: integers, durations, numbers, booleans,
// strings and names in their allowed ranges, and messages that say where
// the value is, what it is and what is allowed, with secrets scrubbed.
#include "settings_reader.hpp"

#include <cmath>
#include <sstream>

#include "marin/config/config_error.hpp"

namespace marin::config::detail {

std::string type_name(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a floating-point number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::table:
            return "a table";
        default:
            return "nothing";
    }
}

std::string render(const toml::node& node) {
    if (const auto* text = node.as_string()) return quote(text->get());
    std::ostringstream out;
    node.visit([&](const auto& value) { out << value; });
    std::string text = out.str();
    for (char& c : text) {
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    if (text.size() > 80) text = text.substr(0, 77) + "...";
    return text;
}

std::optional<std::string> non_empty(const Environment& env, std::string_view name) {
    auto value = env.get(name);
    if (value && value->empty()) return std::nullopt;
    return value;
}

std::string SettingsReader::scrub(std::string message) const {
    for (const auto& secret : secrets_) {
        if (secret.empty()) continue;
        for (auto at = message.find(secret); at != std::string::npos; at = message.find(secret, at + 3)) {
            message.replace(at, secret.size(), "***");
        }
    }
    return message;
}

std::string SettingsReader::where(const toml::source_region& source) const {
    std::string text = "config " + file_.string();
    if (source.begin.line > 0) {
        text += ":" + std::to_string(source.begin.line) + ":" + std::to_string(source.begin.column);
    }
    return text + ": ";
}

void SettingsReader::fail(const toml::source_region& source, const std::string& message) const {
    throw ConfigError(scrub(where(source) + message));
}

void SettingsReader::fail_env(const std::string& message) const { throw ConfigError(scrub("environment " + message)); }

void SettingsReader::wrong_type(const std::string& name, const toml::node& node, const std::string& expected) const {
    fail(node.source(),
         name + " = " + render(node) + " has the wrong type (" + type_name(node) + "); expected " + expected);
}

std::int64_t SettingsReader::integer(const std::string& name, const toml::node& node, std::int64_t low,
                                     std::int64_t high) const {
    std::string allowed = std::to_string(low) + ".." + std::to_string(high);
    const auto* value = node.as_integer();
    if (!value) wrong_type(name, node, "an integer " + allowed);
    if (value->get() < low || value->get() > high) {
        fail(node.source(), name + " = " + render(node) + " is out of range (allowed " + allowed + ")");
    }
    return value->get();
}

void SettingsReader::read_number(Section& section, std::string_view key, double& target, double low,
                                 double high) const {
    const auto* node = section.take(key);
    if (!node) return;
    std::string name = section.full_name(key);
    std::ostringstream allowed;
    allowed << low << ".." << high;
    double value;
    if (const auto* f = node->as_floating_point()) {
        value = f->get();
    } else if (const auto* i = node->as_integer()) {
        value = static_cast<double>(i->get());
    } else {
        wrong_type(name, *node, "a number " + allowed.str());
    }
    if (!std::isfinite(value) || value < low || value > high) {
        fail(node->source(), name + " = " + render(*node) + " is out of range (allowed " + allowed.str() + ")");
    }
    target = value;
}

void SettingsReader::read_bool(Section& section, std::string_view key, bool& target) const {
    const auto* node = section.take(key);
    if (!node) return;
    const auto* value = node->as_boolean();
    if (!value) wrong_type(section.full_name(key), *node, "true or false");
    target = value->get();
}

const toml::node* SettingsReader::read_string(Section& section, std::string_view key, std::string& target,
                                              const std::string& expected) const {
    const auto* node = section.take(key);
    if (!node) return nullptr;
    const auto* value = node->as_string();
    if (!value) wrong_type(section.full_name(key), *node, expected);
    target = value->get();
    return node;
}

std::string SettingsReader::allowed_names(std::span<const std::string_view> names) {
    std::string allowed;
    for (std::size_t i = 0; i < names.size(); ++i) allowed += (i ? ", " : "") + quote(names[i]);
    return allowed;
}

void SettingsReader::not_allowed(const std::string& name, const toml::node& node,
                                 std::span<const std::string_view> names) const {
    const std::string& text = node.as_string()->get();
    std::string message = name + " = " + render(node) + " is not allowed (allowed " + allowed_names(names) + ")";
    if (auto close = closest_name(text, names)) message += "; did you mean " + quote(*close) + "?";
    fail(node.source(), message);
}

std::filesystem::path SettingsReader::relative_to_file(const std::string& path) const {
    std::filesystem::path p(path);
    if (p.is_relative() && file_.has_parent_path()) p = file_.parent_path() / p;
    return p;
}

}  // namespace marin::config::detail
