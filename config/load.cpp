// load_settings: the file (read bounded, parsed as TOML, each section by its
// reader, unknown settings refused), then the environment, the API key's
// source and the warnings. The steps live in loader_parts.hpp's files.
#include "marin/config/load.hpp"

#include <vector>

#include "loader_parts.hpp"
#include "small_file.hpp"

namespace marin::config {

namespace {

namespace fs = std::filesystem;
using namespace detail;

// A config file is a few kilobytes; this only stops a wrong path (a log, a
// device) from being read whole.
constexpr std::size_t max_config_file_bytes = 1024 * 1024;

std::string read_config_file(const fs::path& path) {
    std::string why;
    auto content = read_small_file(path, max_config_file_bytes, "is larger than 1 MiB: not a config file", why);
    if (!content) throw ConfigError("config " + path.string() + ": " + why);
    return std::move(*content);
}

class Loader {
  public:
    Loader(const Environment& env, const std::optional<fs::path>& file)
        : env_(env), reader_(file.value_or(fs::path())) {
        if (auto key = non_empty(env_, "MARIN_API_KEY")) reader_.add_secret(*key);
    }

    Settings load(bool has_file) {
        Settings settings;
        if (has_file) {
            settings.source = reader_.file().string();
            load_file(settings);
        }
        apply_environment(reader_, env_, settings);
        const bool key_readable_by_others = resolve_key(reader_, env_, settings, key_file_where_);
        add_warnings(settings, reader_.file(), key_readable_by_others);
        return settings;
    }

  private:
    void load_file(Settings& settings) {
        std::string text = read_config_file(reader_.file());
        toml::table root;
        try {
            root = toml::parse(std::string_view(text), reader_.file().string());
        } catch (const toml::parse_error& error) {
            reader_.fail(error.source(), "malformed TOML: " + std::string(error.description()));
        }
        // The key written in the file must not come back in a message about
        // another mistake; collect it before reading anything.
        if (const auto* key = root.at_path("api.key").as_string()) reader_.add_secret(key->get());

        std::vector<Section> sections;
        auto open = [&](std::string_view name) -> Section& {
            const toml::node* node = root.get(name);
            if (node && !node->is_table()) {
                reader_.fail(node->source(), std::string(name) + " = " + render(*node) + " has the wrong type (" +
                                                 type_name(*node) + "); expected a table [" + std::string(name) + "]");
            }
            return sections.emplace_back(name, node ? node->as_table() : nullptr);
        };
        sections.reserve(6);
        read_api(reader_, open("api"), settings.api, key_file_where_);
        read_database(reader_, open("database"), settings.database);
        read_sync(reader_, open("sync"), settings.sync);
        read_daemon(reader_, open("daemon"), settings.daemon, env_);
        read_metrics(reader_, open("metrics"), settings.metrics);
        read_log(reader_, open("log"), settings.log);
        reject_unknown(reader_, root, sections);
    }

    const Environment& env_;
    SettingsReader reader_;
    std::string key_file_where_;
};

}  // namespace

Settings load_settings(const std::optional<std::filesystem::path>& file, const Environment& env) {
    return Loader(env, file).load(file.has_value());
}

void require_api_key(const Settings& settings) {
    if (settings.api.key.empty()) {
        throw ConfigError(
            "no API key: set MARIN_API_KEY, MARIN_API_KEY_FILE (a file holding the key), a systemd credential named "
            "marin-api-key (LoadCredential=marin-api-key:/path), or api.key_file in the config file");
    }
}

}  // namespace marin::config
