#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "marin/config/config_error.hpp"
#include "marin/config/environment.hpp"
#include "marin/config/settings.hpp"

namespace marin::config {

// Reads and validates the settings. With no file, the defaults apply; the
// environment overrides the file:
//   MARIN_API_URL       api.base_url
//   MARIN_API_KEY       the key itself
//   MARIN_API_KEY_FILE  a file holding the key
//   MARIN_PG_DSN        database.dsn
//   CREDENTIALS_DIRECTORY  systemd LoadCredential=: reads marin-api-key there
//   TZDIR               where time zones are looked up (/usr/share/zoneinfo)
//   WATCHDOG_USEC, WATCHDOG_PID  daemon.watchdog
// Key precedence: MARIN_API_KEY > MARIN_API_KEY_FILE >
// $CREDENTIALS_DIRECTORY/marin-api-key > api.key_file > api.key. Only the
// winning source is read. A missing key is not an error here (migrate and
// status need none): see require_api_key().
// Throws ConfigError on anything malformed, unknown or out of range.
Settings load_settings(const std::optional<std::filesystem::path>& file, const Environment& env);

// Throws ConfigError when settings.api.key is empty (sync, daemon).
void require_api_key(const Settings& settings);

// The effective settings, one "section.key = value" line each, for the log:
// the API key is masked, and so is the DSN's password.
std::string describe(const Settings& settings);

// The DSN with its password replaced by "***", in either form libpq takes:
// a URI (postgresql://user:secret@host/db?password=secret) or key=value pairs.
std::string mask_dsn(std::string_view dsn);

// LogSection::Format::automatic resolved: journald when this process's
// stderr is the stream named by $JOURNAL_STREAM ("device:inode"), else text.
LogSection::Format effective_log_format(const LogSection& log, const Environment& env);

}  // namespace marin::config
