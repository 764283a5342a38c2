// The API's origin and the request targets on it: the key goes only there.
#include "origin.hpp"

#include <algorithm>
#include <stdexcept>

#include <boost/asio/ip/address.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <fmt/format.h>

#include "marin/sync/api_error.hpp"
#include "marin/sync/url_mask.hpp"

namespace marin::sync::detail {

namespace urls = boost::urls;

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Scheme, host and port of an absolute URL, normalised for comparison.
struct Authority {
    std::string scheme, host, port;
};

Authority authority_of(const urls::url_view& u) {
    Authority a{lower(u.scheme()), lower(u.encoded_host()), std::string(u.port())};
    if (a.port.empty()) a.port = a.scheme == "https" ? "443" : a.scheme == "http" ? "80" : "";
    return a;
}

// The key percent-encoded whole. Boost.URL's params() leaves '+' as is in
// a query, and the API (like most servers) reads a '+' there as a space:
// a key holding one was refused (403).
void append_key(urls::url& u, const std::string& key) {
    const auto encoded = urls::encode(key, urls::unreserved_chars);
    u.encoded_params().append(urls::param_pct_view(urls::pct_string_view("key"), urls::pct_string_view(encoded)));
}

}  // namespace

std::string Origin::bare_host() const {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
    return host;
}

Origin parse_origin(const std::string& base_url) {
    auto parsed = urls::parse_uri(base_url);
    if (!parsed) {
        throw std::invalid_argument(fmt::format("API base_url '{}' is not an absolute URL: {}", mask_key(base_url, ""),
                                                parsed.error().message()));
    }
    const auto auth = authority_of(*parsed);
    if ((auth.scheme != "http" && auth.scheme != "https") || auth.host.empty()) {
        throw std::invalid_argument(
            fmt::format("API base_url '{}' must be http:// or https:// with a host", mask_key(base_url, "")));
    }
    Origin o;
    o.tls = auth.scheme == "https";
    o.scheme = auth.scheme;
    o.host = auth.host;
    o.port = auth.port;
    o.base_path = std::string(parsed->encoded_path());
    while (!o.base_path.empty() && o.base_path.back() == '/') o.base_path.pop_back();
    return o;
}

bool is_ip_literal(const std::string& host) {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(host, ec);
    return !ec;
}

std::string Targets::masked(std::string_view text) const { return mask_key(text, key_); }

std::string Targets::for_path(std::string_view path, const QueryParams& query) const {
    urls::url u;
    std::string p(path);
    if (p.empty() || p.front() != '/') p.insert(p.begin(), '/');
    u.set_path(p);
    for (const auto& [k, v] : query) {
        if (k != "key") u.params().append({k, v});
    }
    append_key(u, key_);
    return origin_.base_path + std::string(u.encoded_target());
}

std::string Targets::for_url(std::string_view url, std::string_view label) const {
    auto parsed = urls::parse_uri_reference(url);
    if (!parsed) {
        throw ApiError(ApiError::Kind::protocol, 0, std::string(label),
                       fmt::format("{}: next URL '{}' is not a URL: {}", label, masked(url), parsed.error().message()));
    }
    if (parsed->has_scheme() || parsed->has_authority()) {
        const auto a = authority_of(*parsed);
        if (a.scheme != origin_.scheme || a.host != origin_.host || a.port != origin_.port) {
            throw ApiError(ApiError::Kind::protocol, 0, std::string(label),
                           fmt::format("{}: refusing to follow next URL '{}': it is not on the "
                                       "API's origin {} (the key is never sent elsewhere)",
                                       label, masked(url), origin_.prefix()));
        }
    }
    urls::url u(*parsed);
    u.params().erase("key");
    append_key(u, key_);
    std::string target(u.encoded_target());
    if (target.empty() || target.front() != '/') target.insert(target.begin(), '/');
    return target;
}

}  // namespace marin::sync::detail
