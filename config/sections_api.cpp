// The [api] settings: server URL, key, TLS, limits, timeouts and retries.
#include "api_key.hpp"
#include "loader_parts.hpp"
#include "small_file.hpp"

namespace marin::config::detail {

void read_api(const SettingsReader& reader, Section& s, ApiSection& api, std::string& key_file_where) {
    if (const auto* node = reader.read_string(s, "base_url", api.base_url, "a string (an http or https URL)")) {
        if (auto why = detail::check_base_url(api.base_url)) {
            reader.fail(node->source(), "api.base_url = " + render(*node) + " is not a valid base URL: " + *why +
                                            " (allowed http://HOST[:PORT][/PATH] or https://...)");
        }
    }
    if (const auto* node = s.take("key")) {
        // The value is never printed, whatever its type.
        const auto* value = node->as_string();
        if (!value) {
            reader.fail(node->source(),
                        "api.key has the wrong type (" + type_name(*node) + "); expected a string (value not printed)");
        }
        api.key = value->get();
        if (!api.key.empty()) {
            if (auto why = detail::check_key_characters(api.key)) reader.fail(node->source(), "api.key: " + *why);
        }
    }
    if (const auto* node = reader.read_string(s, "key_file", api.key_file, "a string (a file path)")) {
        key_file_where = reader.where(node->source());
        if (!api.key_file.empty()) api.key_file = reader.relative_to_file(api.key_file).string();
    }
    if (const auto* node =
            reader.read_string(s, "ca_file", api.ca_file, "a string (a file path, \"\" = system trust store)")) {
        if (!api.ca_file.empty()) {
            api.ca_file = reader.relative_to_file(api.ca_file).string();
            if (auto why = detail::check_readable(api.ca_file)) {
                reader.fail(node->source(),
                            "api.ca_file = " + render(*node) + ": cannot read " + api.ca_file + ": " + *why);
            }
        }
    }
    reader.read_bool(s, "tls_verify", api.tls_verify);
    reader.read_integer(s, "max_in_flight", api.max_in_flight, 1, 256);
    reader.read_number(s, "requests_per_second", api.requests_per_second, 0, 10000);
    reader.read_duration<std::chrono::milliseconds, std::chrono::seconds>(s, "connect_timeout_s", api.connect_timeout,
                                                                          1, 300);
    reader.read_duration<std::chrono::milliseconds, std::chrono::seconds>(s, "read_timeout_s", api.read_timeout, 1,
                                                                          3600);
    reader.read_duration<std::chrono::milliseconds, std::chrono::seconds>(s, "request_timeout_s", api.request_timeout,
                                                                          1, 86400);
    reader.read_integer(s, "max_attempts", api.max_attempts, 1, 20);
    reader.read_duration<std::chrono::milliseconds, std::chrono::milliseconds>(s, "backoff_initial_ms",
                                                                               api.backoff_initial, 1, 600000);
    const auto* backoff_max = s.take("backoff_max_ms");
    if (backoff_max) {
        api.backoff_max = std::chrono::milliseconds(reader.integer("api.backoff_max_ms", *backoff_max, 1, 3600000));
    }
    reader.read_integer(s, "max_body_bytes", api.max_body_bytes, 1024, 1024 * 1024 * 1024);
    reader.read_integer(s, "page_limit", api.page_limit, 1, 300);
    if (api.backoff_max < api.backoff_initial) {
        const auto* at = backoff_max ? backoff_max : s.table()->get("backoff_initial_ms");
        reader.fail(at->source(),
                    "api.backoff_max_ms = " + std::to_string(api.backoff_max.count()) +
                        " is less than api.backoff_initial_ms = " + std::to_string(api.backoff_initial.count()) +
                        " (allowed backoff_initial_ms..3600000)");
    }
}

}  // namespace marin::config::detail
