#include "marin/config/load.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <toml++/toml.h>

#include "api_key.hpp"
#include "checks.hpp"

namespace marin::config {

namespace {

namespace fs = std::filesystem;
using detail::quote;

// A config file is a few kilobytes; this only stops a wrong path (a log, a
// device) from being read whole.
constexpr std::size_t max_config_file_bytes = 1024 * 1024;

constexpr std::string_view credential_name = "marin-api-key";
constexpr std::string_view default_zoneinfo_dir = "/usr/share/zoneinfo";

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "nothing";
  }
}

// The value as the file wrote it, shortened, on one line.
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

// An env variable, "" counting as unset.
std::optional<std::string> non_empty(const Environment& env, std::string_view name) {
  auto value = env.get(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

std::string read_config_file(const fs::path& path) {
  auto fail = [&](const std::string& why) { return ConfigError("config " + path.string() + ": " + why); };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw fail("cannot open: " + detail::os_error(errno));
  std::string content;
  char buffer[8192];
  int error = 0;
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = errno;
      break;
    }
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
    if (content.size() > max_config_file_bytes) break;
  }
  ::close(fd);
  if (error != 0) throw fail("cannot read: " + detail::os_error(error));
  if (content.size() > max_config_file_bytes) throw fail("is larger than 1 MiB: not a config file");
  return content;
}

class Loader;

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

class Loader {
 public:
  explicit Loader(const Environment& env) : env_(env) {
    if (auto key = non_empty(env_, "MARIN_API_KEY")) secrets_.push_back(*key);
  }

  Settings load(const std::optional<fs::path>& file) {
    Settings settings;
    if (file) {
      file_ = *file;
      settings.source = file_.string();
      load_file(settings);
    }
    apply_environment(settings);
    resolve_key(settings);
    add_warnings(settings);
    return settings;
  }

 private:
  // ---- messages -------------------------------------------------------

  std::string scrub(std::string message) const {
    for (const auto& secret : secrets_) {
      if (secret.empty()) continue;
      for (auto at = message.find(secret); at != std::string::npos; at = message.find(secret, at + 3)) {
        message.replace(at, secret.size(), "***");
      }
    }
    return message;
  }

  std::string where(const toml::source_region& source) const {
    std::string text = "config " + file_.string();
    if (source.begin.line > 0) {
      text += ":" + std::to_string(source.begin.line) + ":" + std::to_string(source.begin.column);
    }
    return text + ": ";
  }

  [[noreturn]] void fail(const toml::source_region& source, const std::string& message) const {
    throw ConfigError(scrub(where(source) + message));
  }
  // `message` starts with the variable's name.
  [[noreturn]] void fail_env(const std::string& message) const { throw ConfigError(scrub("environment " + message)); }

  [[noreturn]] void wrong_type(const std::string& name, const toml::node& node, const std::string& expected) const {
    fail(node.source(), name + " = " + render(node) + " has the wrong type (" + type_name(node) + "); expected " +
                            expected);
  }

  // ---- typed values ---------------------------------------------------

  std::int64_t integer(const std::string& name, const toml::node& node, std::int64_t low, std::int64_t high) const {
    std::string allowed = std::to_string(low) + ".." + std::to_string(high);
    const auto* value = node.as_integer();
    if (!value) wrong_type(name, node, "an integer " + allowed);
    if (value->get() < low || value->get() > high) {
      fail(node.source(), name + " = " + render(node) + " is out of range (allowed " + allowed + ")");
    }
    return value->get();
  }

  template <class T>
  void read_integer(Section& section, std::string_view key, T& target, std::int64_t low, std::int64_t high) {
    if (const auto* node = section.take(key)) {
      target = static_cast<T>(integer(section.full_name(key), *node, low, high));
    }
  }

  template <class Duration, class Unit>
  void read_duration(Section& section, std::string_view key, Duration& target, std::int64_t low, std::int64_t high) {
    if (const auto* node = section.take(key)) {
      target = std::chrono::duration_cast<Duration>(Unit(integer(section.full_name(key), *node, low, high)));
    }
  }

  void read_number(Section& section, std::string_view key, double& target, double low, double high) {
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

  void read_bool(Section& section, std::string_view key, bool& target) {
    const auto* node = section.take(key);
    if (!node) return;
    const auto* value = node->as_boolean();
    if (!value) wrong_type(section.full_name(key), *node, "true or false");
    target = value->get();
  }

  const toml::node* read_string(Section& section, std::string_view key, std::string& target,
                                const std::string& expected) {
    const auto* node = section.take(key);
    if (!node) return nullptr;
    const auto* value = node->as_string();
    if (!value) wrong_type(section.full_name(key), *node, expected);
    target = value->get();
    return node;
  }

  template <class E, std::size_t N>
  void read_enum(Section& section, std::string_view key, E& target,
                 const std::array<std::pair<std::string_view, E>, N>& names) {
    const auto* node = section.take(key);
    if (!node) return;
    std::string name = section.full_name(key);
    std::string allowed;
    std::array<std::string_view, N> candidates;
    for (std::size_t i = 0; i < N; ++i) {
      allowed += (i ? ", " : "") + quote(names[i].first);
      candidates[i] = names[i].first;
    }
    const auto* value = node->as_string();
    if (!value) wrong_type(name, *node, "one of " + allowed);
    for (const auto& [text, e] : names) {
      if (value->get() == text) {
        target = e;
        return;
      }
    }
    std::string message = name + " = " + render(*node) + " is not allowed (allowed " + allowed + ")";
    if (auto close = detail::closest_name(value->get(), candidates)) message += "; did you mean " + quote(*close) + "?";
    fail(node->source(), message);
  }

  fs::path relative_to_file(const std::string& path) const {
    fs::path p(path);
    if (p.is_relative() && file_.has_parent_path()) p = file_.parent_path() / p;
    return p;
  }

  // ---- the file -------------------------------------------------------

  void load_file(Settings& settings) {
    std::string text = read_config_file(file_);
    toml::table root;
    try {
      root = toml::parse(std::string_view(text), file_.string());
    } catch (const toml::parse_error& error) {
      fail(error.source(), "malformed TOML: " + std::string(error.description()));
    }
    // The key written in the file must not come back in a message about
    // another mistake; collect it before reading anything.
    if (const auto* key = root.at_path("api.key").as_string()) secrets_.push_back(key->get());

    std::vector<Section> sections;
    auto open = [&](std::string_view name) -> Section& {
      const toml::node* node = root.get(name);
      if (node && !node->is_table()) {
        fail(node->source(), std::string(name) + " = " + render(*node) + " has the wrong type (" + type_name(*node) +
                                 "); expected a table [" + std::string(name) + "]");
      }
      return sections.emplace_back(name, node ? node->as_table() : nullptr);
    };
    sections.reserve(6);
    load_api(open("api"), settings.api);
    load_database(open("database"), settings.database);
    load_sync(open("sync"), settings.sync);
    load_daemon(open("daemon"), settings.daemon);
    load_metrics(open("metrics"), settings.metrics);
    load_log(open("log"), settings.log);
    reject_unknown(root, sections);
  }

  void load_api(Section& s, ApiSection& api) {
    if (const auto* node = read_string(s, "base_url", api.base_url, "a string (an http or https URL)")) {
      if (auto why = detail::check_base_url(api.base_url)) {
        fail(node->source(), "api.base_url = " + render(*node) + " is not a valid base URL: " + *why +
                                 " (allowed http://HOST[:PORT][/PATH] or https://...)");
      }
    }
    if (const auto* node = s.take("key")) {
      // The value is never printed, whatever its type.
      const auto* value = node->as_string();
      if (!value) {
        fail(node->source(), "api.key has the wrong type (" + type_name(*node) + "); expected a string (value not printed)");
      }
      api.key = value->get();
      if (!api.key.empty()) {
        if (auto why = detail::check_key_characters(api.key)) fail(node->source(), "api.key: " + *why);
      }
    }
    if (const auto* node = read_string(s, "key_file", api.key_file, "a string (a file path)")) {
      key_file_where_ = where(node->source());
      if (!api.key_file.empty()) api.key_file = relative_to_file(api.key_file).string();
    }
    if (const auto* node = read_string(s, "ca_file", api.ca_file, "a string (a file path, \"\" = system trust store)")) {
      if (!api.ca_file.empty()) {
        api.ca_file = relative_to_file(api.ca_file).string();
        if (auto why = detail::check_readable(api.ca_file)) {
          fail(node->source(), "api.ca_file = " + render(*node) + ": cannot read " + api.ca_file + ": " + *why);
        }
      }
    }
    read_bool(s, "tls_verify", api.tls_verify);
    read_integer(s, "max_in_flight", api.max_in_flight, 1, 256);
    read_number(s, "requests_per_second", api.requests_per_second, 0, 10000);
    read_duration<std::chrono::milliseconds, std::chrono::seconds>(s, "connect_timeout_s", api.connect_timeout, 1, 300);
    read_duration<std::chrono::milliseconds, std::chrono::seconds>(s, "read_timeout_s", api.read_timeout, 1, 3600);
    read_duration<std::chrono::milliseconds, std::chrono::seconds>(s, "request_timeout_s", api.request_timeout, 1, 86400);
    read_integer(s, "max_attempts", api.max_attempts, 1, 20);
    read_duration<std::chrono::milliseconds, std::chrono::milliseconds>(s, "backoff_initial_ms", api.backoff_initial, 1,
                                                                         600000);
    const auto* backoff_max = s.take("backoff_max_ms");
    if (backoff_max) {
      api.backoff_max = std::chrono::milliseconds(integer("api.backoff_max_ms", *backoff_max, 1, 3600000));
    }
    read_integer(s, "max_body_bytes", api.max_body_bytes, 1024, 1024 * 1024 * 1024);
    read_integer(s, "page_limit", api.page_limit, 1, 300);
    if (api.backoff_max < api.backoff_initial) {
      const auto* at = backoff_max ? backoff_max : s.table()->get("backoff_initial_ms");
      fail(at->source(), "api.backoff_max_ms = " + std::to_string(api.backoff_max.count()) +
                             " is less than api.backoff_initial_ms = " + std::to_string(api.backoff_initial.count()) +
                             " (allowed backoff_initial_ms..3600000)");
    }
  }

  void load_database(Section& s, DatabaseSection& db) {
    if (const auto* node = read_string(s, "dsn", db.dsn, "a string (a libpq connection string or URI)")) {
      if (db.dsn.empty()) {
        fail(node->source(), "database.dsn = \"\" is empty (allowed a libpq connection string or a postgresql:// URI)");
      }
    }
    read_duration<std::chrono::milliseconds, std::chrono::seconds>(s, "statement_timeout_s", db.statement_timeout, 0,
                                                                    86400);
    read_duration<std::chrono::milliseconds, std::chrono::seconds>(s, "connect_timeout_s", db.connect_timeout, 1, 300);
    read_integer(s, "queue_capacity", db.queue_capacity, 1, 1024);
    read_integer(s, "batch_rows", db.batch_rows, 1, 100000);
  }

  void load_sync(Section& s, SyncSection& sync) {
    read_integer(s, "stats_lookback_days", sync.stats_lookback_days, 1, 365);
    read_integer(s, "stats_full_days", sync.stats_full_days, 1, 1095);
    read_number(s, "removal_guard_ratio", sync.removal_guard_ratio, 0, 1);
    read_integer(s, "removal_guard_min_rows", sync.removal_guard_min_rows, 0, 1000000000);
    read_integer(s, "incremental_skip_ended_days", sync.incremental_skip_ended_days, 0, 3650);
    read_enum(s, "lock_wait", sync.lock_wait,
              std::array{std::pair{std::string_view("wait"), SyncSection::LockWait::wait},
                         std::pair{std::string_view("fail"), SyncSection::LockWait::fail}});
    read_duration<std::chrono::seconds, std::chrono::seconds>(s, "lock_timeout_s", sync.lock_timeout, 1, 86400);
    if (sync.stats_full_days < sync.stats_lookback_days) {
      const toml::node* at = s.table() ? s.table()->get("stats_full_days") : nullptr;
      if (!at) at = s.table()->get("stats_lookback_days");
      fail(at->source(), "sync.stats_full_days = " + std::to_string(sync.stats_full_days) +
                             " is less than sync.stats_lookback_days = " + std::to_string(sync.stats_lookback_days) +
                             " (allowed stats_lookback_days..1095)");
    }
  }

  void load_daemon(Section& s, DaemonSection& daemon) {
    read_duration<std::chrono::minutes, std::chrono::minutes>(s, "incremental_interval_min", daemon.incremental_interval,
                                                              5, 1440);
    read_duration<std::chrono::seconds, std::chrono::seconds>(s, "retry_delay_s", daemon.retry_delay, 1, 3600);
    if (const auto* node = read_string(s, "full_sync_time", daemon.full_sync_time, "a string \"HH:MM\"")) {
      auto minute = detail::parse_time_of_day(daemon.full_sync_time);
      if (!minute) {
        fail(node->source(), "daemon.full_sync_time = " + render(*node) +
                                 " is not a valid time of day (allowed \"HH:MM\", 00:00..23:59)");
      }
      daemon.full_sync_minute_of_day = *minute;
    }
    if (const auto* node = read_string(s, "timezone", daemon.timezone, "a string (an IANA time zone name)")) {
      auto dir = non_empty(env_, "TZDIR").value_or(std::string(default_zoneinfo_dir));
      if (auto why = detail::check_timezone(daemon.timezone, dir)) {
        fail(node->source(), "daemon.timezone = " + render(*node) + " is not a known time zone: " + *why +
                                 " (allowed an IANA name such as \"UTC\" or \"Europe/Paris\")");
      }
    }
    const auto* health = s.take("health_max_age_min");
    if (health) daemon.health_max_age = std::chrono::minutes(integer("daemon.health_max_age_min", *health, 1, 10080));
    if (daemon.health_max_age < daemon.incremental_interval) {
      const toml::node* at = health ? health : s.table()->get("incremental_interval_min");
      fail(at->source(), "daemon.health_max_age_min = " + std::to_string(daemon.health_max_age.count()) +
                             " is less than daemon.incremental_interval_min = " +
                             std::to_string(daemon.incremental_interval.count()) +
                             ": the daemon would report itself unhealthy between runs (allowed "
                             "incremental_interval_min..10080)");
    }
  }

  void load_metrics(Section& s, MetricsSection& metrics) {
    const auto* node = read_string(s, "listen", metrics.listen, "a string \"HOST:PORT\" (\"\" = off)");
    if (!node) return;
    if (metrics.listen.empty()) {
      metrics.listen_host.clear();
      metrics.listen_port = 0;
      return;
    }
    auto address = detail::parse_listen(metrics.listen);
    if (!address) {
      fail(node->source(), "metrics.listen = " + render(*node) +
                               " is not a valid listen address (allowed \"IPV4:PORT\" or \"[IPV6]:PORT\" with an IP "
                               "address, not a name, and port 1..65535, e.g. \"127.0.0.1:9187\"; \"\" turns metrics "
                               "off)");
    }
    metrics.listen_host = address->host;
    metrics.listen_port = address->port;
  }

  void load_log(Section& s, LogSection& log) {
    using L = LogSection::Level;
    using F = LogSection::Format;
    read_enum(s, "level", log.level,
              std::array{std::pair{std::string_view("trace"), L::trace}, std::pair{std::string_view("debug"), L::debug},
                         std::pair{std::string_view("info"), L::info}, std::pair{std::string_view("warn"), L::warn},
                         std::pair{std::string_view("error"), L::error}});
    read_enum(s, "format", log.format,
              std::array{std::pair{std::string_view("auto"), F::automatic},
                         std::pair{std::string_view("journald"), F::journald},
                         std::pair{std::string_view("text"), F::text}});
  }

  void reject_unknown(const toml::table& root, const std::vector<Section>& sections) {
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
        fail(key.source(), message);
      }
    }
    std::string tables;
    for (auto name : table_names) tables += (tables.empty() ? "" : ", ") + std::string(name);
    for (auto&& [key, node] : root) {
      if (std::find(table_names.begin(), table_names.end(), key.str()) != table_names.end()) continue;
      if (node.is_table()) {
        std::string message = "[" + std::string(key.str()) + "] is not a known table";
        if (auto close = detail::closest_name(key.str(), table_names)) message += "; did you mean [" + std::string(*close) + "]?";
        fail(key.source(), message + " (allowed tables: " + tables + ")");
      }
      std::string message = std::string(key.str()) + " is not a known setting: settings belong in a table (" + tables + ")";
      if (auto elsewhere = find_in_other_tables(key.str(), sections)) message += "; did you mean " + *elsewhere + "?";
      fail(key.source(), message);
    }
  }

  static std::optional<std::string> find_in_other_tables(std::string_view key, const std::vector<Section>& sections) {
    for (const auto& section : sections) {
      for (auto known : section.known()) {
        if (known == key) return section.full_name(known);
      }
    }
    return std::nullopt;
  }

  // ---- the environment ------------------------------------------------

  void apply_environment(Settings& settings) {
    if (auto url = non_empty(env_, "MARIN_API_URL")) {
      if (auto why = detail::check_base_url(*url)) {
        fail_env("MARIN_API_URL = " + quote(*url) + " is not a valid base URL: " + *why +
                                      " (allowed http://HOST[:PORT][/PATH] or https://...)");
      }
      settings.api.base_url = *url;
    }
    if (auto dsn = non_empty(env_, "MARIN_PG_DSN")) settings.database.dsn = *dsn;

    if (auto usec = non_empty(env_, "WATCHDOG_USEC")) {
      std::uint64_t value = 0;
      auto [end, ec] = std::from_chars(usec->data(), usec->data() + usec->size(), value);
      if (ec != std::errc{} || end != usec->data() + usec->size()) {
        fail_env("WATCHDOG_USEC = " + quote(*usec) + " is not a number of microseconds");
      }
      auto pid = non_empty(env_, "WATCHDOG_PID");
      // The variable may have been inherited from a parent the watchdog is for.
      if (!pid || *pid == std::to_string(::getpid())) {
        settings.daemon.watchdog = std::chrono::microseconds(static_cast<std::int64_t>(value));
      }
    }
  }

  void resolve_key(Settings& settings) {
    ApiSection& api = settings.api;
    if (auto key = non_empty(env_, "MARIN_API_KEY")) {
      if (auto why = detail::check_key_characters(*key)) fail_env("MARIN_API_KEY: " + *why);
      api.key = *key;
      api.key_origin = "MARIN_API_KEY";
      return;
    }
    if (auto path = non_empty(env_, "MARIN_API_KEY_FILE")) {
      api.key = detail::read_key_file(*path, "environment MARIN_API_KEY_FILE");
      api.key_origin = "file " + *path + " (MARIN_API_KEY_FILE)";
      return;
    }
    if (auto directory = non_empty(env_, "CREDENTIALS_DIRECTORY")) {
      fs::path path = fs::path(*directory) / credential_name;
      std::error_code ec;
      // systemd sets the directory for any credential; ours may not be there.
      if (fs::symlink_status(path, ec).type() != fs::file_type::not_found) {
        api.key = detail::read_key_file(path, "systemd credential (CREDENTIALS_DIRECTORY)");
        api.key_origin = "systemd credential " + path.string();
        return;
      }
    }
    if (!api.key_file.empty()) {
      api.key = detail::read_key_file(api.key_file, key_file_where_ + "api.key_file");
      api.key_origin = "file " + api.key_file + " (api.key_file)";
      return;
    }
    if (!api.key.empty()) {
      api.key_origin = "api.key in " + file_.string();
      // A key written in a file that others can read is worth a warning.
      struct stat status {};
      if (::stat(file_.c_str(), &status) == 0 && (status.st_mode & S_IROTH)) {
        key_readable_by_others_ = true;
      }
    }
  }

  void add_warnings(Settings& settings) {
    if (!settings.api.tls_verify) {
      settings.warnings.push_back(
          "api.tls_verify = false: the API server's certificate is not checked, so whoever is on the path can read "
          "the API key and change the data; use it only against a test server");
    }
    if (settings.api.base_url.starts_with("http://") && !detail::url_host_is_loopback(settings.api.base_url)) {
      settings.warnings.push_back("api.base_url " + settings.api.base_url +
                                  " is plain http: the API key and the data travel unencrypted");
    }
    if (key_readable_by_others_) {
      settings.warnings.push_back("api.key is written in " + file_.string() +
                                  ", which other users can read: prefer api.key_file, MARIN_API_KEY_FILE or a "
                                  "systemd credential, or chmod o-r the file");
    }
  }

  const Environment& env_;
  fs::path file_;
  std::vector<std::string> secrets_;
  std::string key_file_where_;
  bool key_readable_by_others_ = false;
};

}  // namespace

Settings load_settings(const std::optional<std::filesystem::path>& file, const Environment& env) {
  return Loader(env).load(file);
}

void require_api_key(const Settings& settings) {
  if (settings.api.key.empty()) {
    throw ConfigError(
        "no API key: set MARIN_API_KEY, MARIN_API_KEY_FILE (a file holding the key), a systemd credential named "
        "marin-api-key (LoadCredential=marin-api-key:/path), or api.key_file in the config file");
  }
}

}  // namespace marin::config
