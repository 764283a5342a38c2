// Unknown settings and tables: the first one fails the load, with the
// closest known name (a typo, or a setting written in the wrong table).
#include <algorithm>

#include "loader_parts.hpp"

namespace marin::config::detail {

namespace {

std::optional<std::string> find_in_other_tables(std::string_view key, const std::vector<Section>& sections) {
    for (const auto& section : sections) {
        for (auto known : section.known()) {
            if (known == key) return section.full_name(known);
        }
    }
    return std::nullopt;
}

}  // namespace

void reject_unknown(const SettingsReader& reader, const toml::table& root, const std::vector<Section>& sections) {
    std::vector<std::string> all_names;  // "api.base_url", ...
    std::vector<std::string_view> table_names;
    for (const auto& section : sections) {
        table_names.push_back(section.name());
        for (auto key : section.known()) all_names.push_back(section.full_name(key));
    }
    for (const auto& section : sections) {
        if (!section.table()) continue;
        for (auto&& [key, node] : *section.table()) {
            auto known = section.known();
            if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
            std::string message = section.full_name(key.str()) + " is not a known setting";
            if (auto close = detail::closest_name(key.str(), known)) {
                message += "; did you mean " + section.full_name(*close) + "?";
            } else if (auto elsewhere = find_in_other_tables(key.str(), sections)) {
                message += "; did you mean " + *elsewhere + "?";
            } else {
                message += " (the settings of [" + section.name() + "] are listed in marin-sync.example.toml)";
            }
            reader.fail(key.source(), message);
        }
    }
    std::string tables;
    for (auto name : table_names) tables += (tables.empty() ? "" : ", ") + std::string(name);
    for (auto&& [key, node] : root) {
        if (std::find(table_names.begin(), table_names.end(), key.str()) != table_names.end()) continue;
        if (node.is_table()) {
            std::string message = "[" + std::string(key.str()) + "] is not a known table";
            if (auto close = detail::closest_name(key.str(), table_names))
                message += "; did you mean [" + std::string(*close) + "]?";
            reader.fail(key.source(), message + " (allowed tables: " + tables + ")");
        }
        std::string message =
            std::string(key.str()) + " is not a known setting: settings belong in a table (" + tables + ")";
        if (auto elsewhere = find_in_other_tables(key.str(), sections)) message += "; did you mean " + *elsewhere + "?";
        reader.fail(key.source(), message);
    }
}

}  // namespace marin::config::detail
