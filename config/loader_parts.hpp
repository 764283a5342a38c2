#pragma once
// The steps of load_settings (private to config/): one reader per settings
// section, the check for unknown settings, and what the environment adds.

#include <string>
#include <vector>

#include "marin/config/environment.hpp"
#include "marin/config/settings.hpp"
#include "settings_reader.hpp"

namespace marin::config::detail {

// [api] (sections_api.cpp). `key_file_where`: where api.key_file was
// written, for the messages about that file.
void read_api(const SettingsReader& reader, Section& s, ApiSection& api, std::string& key_file_where);
// [database], [sync] (sections_storage.cpp).
void read_database(const SettingsReader& reader, Section& s, DatabaseSection& db);
void read_sync(const SettingsReader& reader, Section& s, SyncSection& sync);
// [daemon], [metrics], [log] (sections_daemon.cpp); TZDIR from `env`.
void read_daemon(const SettingsReader& reader, Section& s, DaemonSection& daemon, const Environment& env);
void read_metrics(const SettingsReader& reader, Section& s, MetricsSection& metrics);
void read_log(const SettingsReader& reader, Section& s, LogSection& log);

// Fails on the first setting or table no section asked for, with the
// closest known name (unknown_settings.cpp).
void reject_unknown(const SettingsReader& reader, const toml::table& root, const std::vector<Section>& sections);

// MARIN_API_URL, MARIN_PG_DSN, WATCHDOG_USEC over the file (key_sources.cpp).
void apply_environment(const SettingsReader& reader, const Environment& env, Settings& settings);
// The API key from the first source that has one; true when it is api.key
// in a file others can read.
bool resolve_key(const SettingsReader& reader, const Environment& env, Settings& settings,
                 const std::string& key_file_where);
void add_warnings(Settings& settings, const std::filesystem::path& file, bool key_readable_by_others);

}  // namespace marin::config::detail
