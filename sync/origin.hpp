// Where the API's requests go (private to marin_sync): the origin of
// base_url, and the request targets built on it with the key added.
#pragma once

#include <string>
#include <string_view>

#include <boost/url/url_view.hpp>

#include "marin/sync/query_params.hpp"

namespace marin::sync::detail {

// Scheme, host and port of base_url, and its path prefix.
struct Origin {
    bool tls = false;
    std::string scheme;     // "http" or "https"
    std::string host;       // as in the URL ("[::1]" keeps its brackets)
    std::string port;       // always set
    std::string base_path;  // encoded, without a trailing '/'

    std::string bare_host() const;  // for DNS, SNI and certificate checks
    bool default_port() const { return port == (tls ? "443" : "80"); }
    std::string host_header() const { return default_port() ? host : host + ":" + port; }
    std::string prefix() const { return scheme + "://" + host_header(); }
};

// Throws std::invalid_argument for anything but an http(s) URL with a host.
Origin parse_origin(const std::string& base_url);

bool is_ip_literal(const std::string& host);

// Request targets on one origin, each carrying the key.
class Targets {
  public:
    Targets(Origin origin, std::string key) : origin_(std::move(origin)), key_(std::move(key)) {}

    const Origin& origin() const noexcept { return origin_; }
    std::string masked(std::string_view text) const;

    // base path + path + query (any `key` in it replaced by ours).
    std::string for_path(std::string_view path, const QueryParams& query) const;
    // The target of a `next` URL; throws ApiError protocol if it leaves the origin.
    std::string for_url(std::string_view url, std::string_view label) const;

  private:
    Origin origin_;
    std::string key_;
};

}  // namespace marin::sync::detail
