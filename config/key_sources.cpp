// Where the environment overrides the file (MARIN_API_URL, MARIN_PG_DSN,
// WATCHDOG_USEC), where the API key comes from, and the warnings about
// settings that work but expose the key or the data.
#include <charconv>
#include <sys/stat.h>
#include <unistd.h>

#include "api_key.hpp"
#include "loader_parts.hpp"

namespace marin::config::detail {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view credential_name = "marin-api-key";

}  // namespace

void apply_environment(const SettingsReader& reader, const Environment& env, Settings& settings) {
    if (auto url = non_empty(env, "MARIN_API_URL")) {
        if (auto why = detail::check_base_url(*url)) {
            reader.fail_env("MARIN_API_URL = " + quote(*url) + " is not a valid base URL: " + *why +
                            " (allowed http://HOST[:PORT][/PATH] or https://...)");
        }
        settings.api.base_url = *url;
    }
    if (auto dsn = non_empty(env, "MARIN_PG_DSN")) settings.database.dsn = *dsn;

    if (auto usec = non_empty(env, "WATCHDOG_USEC")) {
        std::uint64_t value = 0;
        auto [end, ec] = std::from_chars(usec->data(), usec->data() + usec->size(), value);
        if (ec != std::errc{} || end != usec->data() + usec->size()) {
            reader.fail_env("WATCHDOG_USEC = " + quote(*usec) + " is not a number of microseconds");
        }
        auto pid = non_empty(env, "WATCHDOG_PID");
        // The variable may have been inherited from a parent the watchdog is for.
        if (!pid || *pid == std::to_string(::getpid())) {
            settings.daemon.watchdog = std::chrono::microseconds(static_cast<std::int64_t>(value));
        }
    }
}

bool resolve_key(const SettingsReader& reader, const Environment& env, Settings& settings,
                 const std::string& key_file_where) {
    ApiSection& api = settings.api;
    if (auto key = non_empty(env, "MARIN_API_KEY")) {
        if (auto why = detail::check_key_characters(*key)) reader.fail_env("MARIN_API_KEY: " + *why);
        api.key = *key;
        api.key_origin = "MARIN_API_KEY";
        return false;
    }
    if (auto path = non_empty(env, "MARIN_API_KEY_FILE")) {
        api.key = detail::read_key_file(*path, "environment MARIN_API_KEY_FILE");
        api.key_origin = "file " + *path + " (MARIN_API_KEY_FILE)";
        return false;
    }
    if (auto directory = non_empty(env, "CREDENTIALS_DIRECTORY")) {
        fs::path path = fs::path(*directory) / credential_name;
        std::error_code ec;
        // systemd sets the directory for any credential; ours may not be there.
        if (fs::symlink_status(path, ec).type() != fs::file_type::not_found) {
            api.key = detail::read_key_file(path, "systemd credential (CREDENTIALS_DIRECTORY)");
            api.key_origin = "systemd credential " + path.string();
            return false;
        }
    }
    if (!api.key_file.empty()) {
        api.key = detail::read_key_file(api.key_file, key_file_where + "api.key_file");
        api.key_origin = "file " + api.key_file + " (api.key_file)";
        return false;
    }
    if (!api.key.empty()) {
        api.key_origin = "api.key in " + reader.file().string();
        // A key written in a file that others can read is worth a warning.
        struct stat status {};
        if (::stat(reader.file().c_str(), &status) == 0 && (status.st_mode & S_IROTH)) return true;
    }
    return false;
}

void add_warnings(Settings& settings, const std::filesystem::path& file, bool key_readable_by_others) {
    if (!settings.api.tls_verify) {
        settings.warnings.push_back(
            "api.tls_verify = false: the API server's certificate is not checked, so whoever is on the path can read "
            "the API key and change the data; use it only against a test server");
    }
    if (settings.api.base_url.starts_with("http://") && !detail::url_host_is_loopback(settings.api.base_url)) {
        settings.warnings.push_back("api.base_url " + settings.api.base_url +
                                    " is plain http: the API key and the data travel unencrypted");
    }
    if (key_readable_by_others) {
        settings.warnings.push_back("api.key is written in " + file.string() +
                                    ", which other users can read: prefer api.key_file, MARIN_API_KEY_FILE or a "
                                    "systemd credential, or chmod o-r the file");
    }
}

}  // namespace marin::config::detail
