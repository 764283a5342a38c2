// Checks of the setting values that have a syntax of their own (URLs, ports,
// times of day, time zones, listen addresses) and the typo suggestions.
#include "checks.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <system_error>
#include <vector>

#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace marin::config::detail {

namespace urls = boost::urls;

std::optional<std::uint16_t> parse_port(std::string_view text) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 1 || value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

std::optional<std::string> check_base_url(std::string_view url) {
    auto parsed = urls::parse_uri(urls::string_view(url.data(), url.size()));
    if (!parsed) {
        return "it is not a URL";
    }
    const urls::url_view& u = *parsed;
    if (u.scheme_id() != urls::scheme::http && u.scheme_id() != urls::scheme::https) {
        return "the scheme must be http or https";
    }
    if (!u.has_authority() || u.encoded_host().empty()) {
        return "it has no host";
    }
    if (u.has_userinfo()) {
        return "it must not hold a user name or password";
    }
    if (u.has_port() && !parse_port(std::string_view(u.port().data(), u.port().size()))) {
        return "the port must be 1..65535";
    }
    if (u.has_query() || u.has_fragment()) {
        return "it must not hold a query (?...) or a fragment (#...)";
    }
    return std::nullopt;
}

bool url_host_is_loopback(std::string_view url) {
    auto parsed = urls::parse_uri(urls::string_view(url.data(), url.size()));
    if (!parsed) return false;
    switch (parsed->host_type()) {
        case urls::host_type::ipv4:
            return parsed->host_ipv4_address().to_bytes()[0] == 127;
        case urls::host_type::ipv6:
            return parsed->host_ipv6_address().is_loopback();
        case urls::host_type::name: {
            auto host = parsed->host();
            std::transform(host.begin(), host.end(), host.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            return host == "localhost" || host.ends_with(".localhost");
        }
        default:
            return false;
    }
}

std::optional<std::chrono::minutes> parse_time_of_day(std::string_view text) {
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (text.size() != 5 || text[2] != ':' || !digit(text[0]) || !digit(text[1]) || !digit(text[3]) ||
        !digit(text[4])) {
        return std::nullopt;
    }
    int hours = (text[0] - '0') * 10 + (text[1] - '0');
    int minutes = (text[3] - '0') * 10 + (text[4] - '0');
    if (hours > 23 || minutes > 59) return std::nullopt;
    return std::chrono::hours(hours) + std::chrono::minutes(minutes);
}

std::optional<std::string> check_timezone(std::string_view name, const std::filesystem::path& zoneinfo_dir) {
    if (name.empty() || name.size() > 255) return "the name is empty or too long";
    for (char c : name) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
                  c == '-' || c == '+';
        if (!ok) return "a time zone name holds only letters, digits and / _ - +";
    }
    if (name.front() == '/' || name.back() == '/' || name.find("//") != std::string_view::npos) {
        return "not a time zone name";
    }
    // The posix/ and right/ trees are the same zones again; the scheduler's
    // time zone database does not list them.
    if (name.starts_with("posix/") || name.starts_with("right/")) return "use the name without posix/ or right/";
    std::filesystem::path path = zoneinfo_dir / std::string(name);
    std::ifstream in(path, std::ios::binary);
    std::array<char, 4> magic{};
    if (!in || !in.read(magic.data(), magic.size()) || std::string_view(magic.data(), magic.size()) != "TZif") {
        return "no such zone in " + zoneinfo_dir.string();
    }
    return std::nullopt;
}

std::optional<ListenAddress> parse_listen(std::string_view text) {
    std::string_view host;
    std::string_view port;
    bool v6 = false;
    if (text.starts_with('[')) {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        v6 = true;
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    if (v6) {
        if (!urls::parse_ipv6_address(urls::string_view(host.data(), host.size()))) return std::nullopt;
    } else {
        if (!urls::parse_ipv4_address(urls::string_view(host.data(), host.size()))) return std::nullopt;
    }
    auto value = parse_port(port);
    if (!value) return std::nullopt;
    return ListenAddress{std::string(host), *value};
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

std::optional<std::string_view> closest_name(std::string_view name, std::span<const std::string_view> candidates) {
    std::optional<std::string_view> best;
    std::size_t best_distance = 0;
    for (auto candidate : candidates) {
        std::size_t distance = edit_distance(name, candidate);
        // "warning" for "warn", "connect_timeout" for "connect_timeout_s".
        if (std::min(name.size(), candidate.size()) >= 3 &&
            (name.starts_with(candidate) || candidate.starts_with(name))) {
            distance = std::min<std::size_t>(distance, 1);
        }
        if (!best || distance < best_distance) {
            best = candidate;
            best_distance = distance;
        }
    }
    // A typo is a few edits away; a unit suffix changed ("backoff_max_s" for
    // "backoff_max_ms") one or two.
    std::size_t limit = std::max<std::size_t>(2, std::min<std::size_t>(4, name.size() / 3));
    if (best && best_distance <= limit) return best;
    return std::nullopt;
}

std::string quote(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                    char buffer[8];
                    std::snprintf(buffer, sizeof buffer, "\\u%04X",
                                  static_cast<unsigned>(static_cast<unsigned char>(c)));
                    out += buffer;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
    return out;
}

std::string os_error(int error_number) { return std::generic_category().message(error_number); }

}  // namespace marin::config::detail
