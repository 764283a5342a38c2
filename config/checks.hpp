#pragma once
// Validation of the values that have a syntax of their own. Each check
// returns what is wrong (nullopt when the value is fine) so that the caller
// can say where the value came from.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace marin::config::detail {

// http or https, a host, no user info, query or fragment.
std::optional<std::string> check_base_url(std::string_view url);

// True when the URL's host is loopback (127.0.0.0/8, ::1, localhost).
bool url_host_is_loopback(std::string_view url);

// "HH:MM", 00:00..23:59, as minutes after midnight.
std::optional<std::chrono::minutes> parse_time_of_day(std::string_view text);

// An IANA name that is a TZif file under zoneinfo_dir.
std::optional<std::string> check_timezone(std::string_view name, const std::filesystem::path& zoneinfo_dir);

// A port number, 1..65535, written in decimal and nothing else.
std::optional<std::uint16_t> parse_port(std::string_view text);

struct ListenAddress {
    std::string host;  // IP literal, IPv6 without brackets
    std::uint16_t port = 0;
};
// "IPV4:PORT" or "[IPV6]:PORT", port 1..65535.
std::optional<ListenAddress> parse_listen(std::string_view text);

// The candidate closest to `name` when it is close enough to be a typo.
std::optional<std::string_view> closest_name(std::string_view name, std::span<const std::string_view> candidates);

// A string as TOML writes it: double quotes, control characters escaped.
std::string quote(std::string_view text);

// errno as text.
std::string os_error(int error_number);

}  // namespace marin::config::detail
