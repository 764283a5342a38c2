// describe(): the effective settings, one line each, for the log, with the
// API key and the DSN's password masked.
#include <sstream>

#include "checks.hpp"
#include "marin/config/load.hpp"

namespace marin::config {

namespace {

constexpr std::string_view mask = "***";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// postgresql://user:secret@host,host2:5433/db?password=secret&sslmode=require
std::string mask_uri(std::string_view dsn, std::size_t scheme_end) {
    std::string out(dsn.substr(0, scheme_end));
    std::string_view rest = dsn.substr(scheme_end);
    std::size_t authority_end = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, authority_end);
    std::string_view tail = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
    std::size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
        std::string_view userinfo = authority.substr(0, at);
        std::size_t colon = userinfo.find(':');
        if (colon != std::string_view::npos) {
            out += userinfo.substr(0, colon + 1);
            out += mask;
        } else {
            out += userinfo;
        }
        out += authority.substr(at);
    } else {
        out += authority;
    }
    std::size_t question = tail.find('?');
    out += tail.substr(0, question);
    if (question == std::string_view::npos) return out;
    std::string_view query = tail.substr(question + 1);
    out += '?';
    bool first = true;
    while (true) {
        std::size_t amp = query.find('&');
        std::string_view param = query.substr(0, amp);
        if (!first) out += '&';
        first = false;
        std::size_t equals = param.find('=');
        if (equals != std::string_view::npos && param.substr(0, equals) == "password") {
            out += "password=";
            out += mask;
        } else {
            out += param;
        }
        if (amp == std::string_view::npos) break;
        query = query.substr(amp + 1);
    }
    return out;
}

// host=db user=marin password='it''s \' secret' dbname=marin
std::string mask_key_value(std::string_view dsn) {
    std::string out;
    std::size_t i = 0;
    while (i < dsn.size()) {
        if (is_space(dsn[i])) {
            out += dsn[i++];
            continue;
        }
        std::size_t keyword_begin = i;
        while (i < dsn.size() && dsn[i] != '=' && !is_space(dsn[i])) ++i;
        std::string_view keyword = dsn.substr(keyword_begin, i - keyword_begin);
        while (i < dsn.size() && is_space(dsn[i])) ++i;
        if (i >= dsn.size() || dsn[i] != '=') {
            // Not key=value: libpq will refuse it; show what there is, up to here.
            out += dsn.substr(keyword_begin, i - keyword_begin);
            continue;
        }
        ++i;  // '='
        while (i < dsn.size() && is_space(dsn[i])) ++i;
        std::size_t value_begin = i;
        if (i < dsn.size() && dsn[i] == '\'') {
            ++i;
            while (i < dsn.size() && dsn[i] != '\'') i += (dsn[i] == '\\' && i + 1 < dsn.size()) ? 2 : 1;
            if (i < dsn.size()) ++i;  // closing quote
        } else {
            while (i < dsn.size() && !is_space(dsn[i])) i += (dsn[i] == '\\' && i + 1 < dsn.size()) ? 2 : 1;
        }
        out += keyword;
        out += '=';
        if (keyword == "password") {
            out += mask;
        } else {
            out += dsn.substr(value_begin, i - value_begin);
        }
    }
    return out;
}

std::string as_toml(std::string_view text) { return detail::quote(text); }

}  // namespace

std::string mask_dsn(std::string_view dsn) {
    for (std::string_view scheme : {"postgresql://", "postgres://"}) {
        if (dsn.starts_with(scheme)) return mask_uri(dsn, scheme.size());
    }
    return mask_key_value(dsn);
}

std::string describe(const Settings& s) {
    std::ostringstream out;
    auto line = [&](std::string_view name, const auto& value) { out << name << " = " << value << '\n'; };
    out << "# settings from " << s.source << '\n';
    const ApiSection& api = s.api;
    line("api.base_url", as_toml(api.base_url));
    line("api.key", api.key.empty() ? std::string("(not set)") : std::string(mask) + " (from " + api.key_origin + ")");
    line("api.key_file", as_toml(api.key_file));
    line("api.ca_file", as_toml(api.ca_file));
    line("api.tls_verify", api.tls_verify ? "true" : "false");
    line("api.max_in_flight", api.max_in_flight);
    line("api.requests_per_second", api.requests_per_second);
    line("api.connect_timeout_s", std::chrono::duration<double>(api.connect_timeout).count());
    line("api.read_timeout_s", std::chrono::duration<double>(api.read_timeout).count());
    line("api.request_timeout_s", std::chrono::duration<double>(api.request_timeout).count());
    line("api.max_attempts", api.max_attempts);
    line("api.backoff_initial_ms", api.backoff_initial.count());
    line("api.backoff_max_ms", api.backoff_max.count());
    line("api.max_body_bytes", api.max_body_bytes);
    line("api.page_limit", api.page_limit);
    const DatabaseSection& db = s.database;
    line("database.dsn", as_toml(mask_dsn(db.dsn)));
    line("database.statement_timeout_s", std::chrono::duration<double>(db.statement_timeout).count());
    line("database.connect_timeout_s", std::chrono::duration<double>(db.connect_timeout).count());
    line("database.queue_capacity", db.queue_capacity);
    line("database.batch_rows", db.batch_rows);
    const SyncSection& sync = s.sync;
    line("sync.stats_lookback_days", sync.stats_lookback_days);
    line("sync.stats_full_days", sync.stats_full_days);
    line("sync.removal_guard_ratio", sync.removal_guard_ratio);
    line("sync.removal_guard_min_rows", sync.removal_guard_min_rows);
    line("sync.incremental_skip_ended_days", sync.incremental_skip_ended_days);
    line("sync.lock_wait", as_toml(to_string(sync.lock_wait)));
    line("sync.lock_timeout_s", sync.lock_timeout.count());
    const DaemonSection& daemon = s.daemon;
    line("daemon.incremental_interval_min", daemon.incremental_interval.count());
    line("daemon.full_sync_time", as_toml(daemon.full_sync_time));
    line("daemon.timezone", as_toml(daemon.timezone));
    line("daemon.health_max_age_min", daemon.health_max_age.count());
    line("daemon.retry_delay_s", daemon.retry_delay.count());
    line("daemon.watchdog (WATCHDOG_USEC)",
         daemon.watchdog.count() == 0 ? std::string("off") : std::to_string(daemon.watchdog.count()) + " us");
    line("metrics.listen", s.metrics.enabled() ? as_toml(s.metrics.listen) : std::string("\"\" (off)"));
    line("log.level", as_toml(to_string(s.log.level)));
    line("log.format", as_toml(to_string(s.log.format)));
    return out.str();
}

}  // namespace marin::config
