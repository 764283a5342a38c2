// How the sync client talks to the Marin Social API: where, with which key,
// and how politely (limits, timeouts, retries).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

namespace marin::sync {

// Host name to addresses. Starts the lookup of `host` (`port` a number) and
// calls `done` at most once, on the client's executor. The client waits for
// it at most connect_timeout (and never past the attempt's request_timeout):
// a lookup still unanswered then fails the attempt as a timeout, retried like
// any other.
using ResolveDone = std::function<void(boost::system::error_code, boost::asio::ip::tcp::resolver::results_type)>;
using ResolveStep = std::function<void(const std::string& host, const std::string& port, ResolveDone done)>;

struct ApiSettings {
    // Scheme, host, optional port and optional path prefix, e.g.
    // "https://api.mysocialpixel.com". "http://" is for the simulator only.
    std::string base_url;
    // The agency token, sent as the query parameter `key`; never logged.
    std::string key;
    // PEM file of trusted CAs; empty = the system store.
    std::string ca_file;
    // false turns certificate and host-name checks off (a warning is logged
    // every time a client is built that way).
    bool tls_verify = true;

    // Requests in flight at once, shared by every coroutine using the client;
    // also the cap on pooled keep-alive connections.
    unsigned max_in_flight = 8;
    // Request-start budget; 0 = no budget.
    double requests_per_second = 0;

    std::chrono::milliseconds connect_timeout{10000};   // DNS lookup, TCP connect, TLS handshake (each)
    std::chrono::milliseconds read_timeout{30000};      // each write and each read
    std::chrono::milliseconds request_timeout{120000};  // one attempt, end to end

    // Attempts per request, the first included.
    unsigned max_attempts = 6;
    std::chrono::milliseconds backoff_initial{500};
    std::chrono::milliseconds backoff_max{30000};  // no single wait is longer

    std::size_t max_body_bytes = 64u * 1024u * 1024u;
    std::size_t max_header_bytes = 64u * 1024u;
    // `limit` asked of list endpoints (the API's maximum is 300).
    unsigned page_limit = 300;
    std::string user_agent = "marin-sync";

    // Empty: Asio's resolver (getaddrinfo on a helper thread, which nothing
    // can interrupt: the client stops waiting for it, the lookup itself
    // ends at the system resolver's own timeout). A test seam: a step that
    // never calls `done` stands for a resolver that never answers.
    ResolveStep resolve;
};

}  // namespace marin::sync
