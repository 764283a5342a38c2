// The HTTP(S) client for the Marin Social API: coroutines on one io thread,
// keep-alive pool, in-flight bound, request-rate budget, timeouts, retry with
// backoff. Safe to call from many coroutines at once on the client's
// (single-threaded) executor. A stop is the caller's cancellation slot
// (asio::bind_cancellation_slot on the co_spawn of the calling coroutine):
// an emitted cancellation ends the wait or the request in progress, and the
// call throws ApiError cancelled.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <spdlog/logger.h>

#include "marin/sync/api_error.hpp"
#include "marin/sync/page_parser.hpp"
#include "marin/sync/query_params.hpp"
#include "marin/sync/api_settings.hpp"
#include "marin/sync/request_observer.hpp"

namespace marin::sync {

namespace asio = boost::asio;

// Looks at the body of a 2xx answer: "" when it is usable, else what is
// wrong with it. A 200 whose body is broken (truncated, an HTML page from a
// proxy, an error object) is usually transient, so such an answer is retried
// like a 503, within the same attempt count; after the last attempt the
// request fails with ApiError protocol naming the problem.
using BodyCheck = std::function<std::string(std::string_view body)>;

struct ApiResponse {
    unsigned status = 0;  // 2xx (202 = "already in the expected state", a success)
    std::string body;
    unsigned attempts = 0;  // attempts it took, the successful one included
};

// A page of a list endpoint, parsed.
struct PageResponse {
    Page page;
    unsigned status = 0;
    unsigned attempts = 0;
};

class ApiClient {
  public:
    // `tls` (from make_tls_context) and `observer` (nullable) must outlive
    // the client; so must the client every coroutine using it.
    ApiClient(asio::any_io_executor executor, ApiSettings settings, asio::ssl::context& tls,
              std::shared_ptr<spdlog::logger> logger, RequestObserver* observer);
    ~ApiClient();
    ApiClient(const ApiClient&) = delete;
    ApiClient& operator=(const ApiClient&) = delete;

    // GET base_url + path (path like "/clients/5/campaigns") with `query`
    // and `key`. Returns a 2xx answer (that passed `check`, when given);
    // throws ApiError otherwise.
    asio::awaitable<ApiResponse> get(std::string_view path, QueryParams query, std::string_view endpoint_label,
                                     BodyCheck check = {});

    // GET an absolute URL (a page's `next`). Refuses (ApiError protocol,
    // nothing sent) a URL whose scheme, host or port differ from base_url's;
    // any `key` in it is replaced by ours.
    asio::awaitable<ApiResponse> get_url(std::string_view absolute_url, std::string_view endpoint_label,
                                         BodyCheck check = {});

    // A page of a list endpoint, parsed (parse_page). A 200 whose body is
    // not a page (malformed or truncated JSON, an HTML page from a proxy, an
    // empty body, an error object) is asked again like a 503, within the
    // same bounded attempts; still broken at the last attempt, it throws
    // ApiError protocol naming `page_number`.
    asio::awaitable<PageResponse> get_page(std::string_view path, QueryParams query, std::string_view endpoint_label,
                                           std::size_t page_number);
    // The same for a page's `next` URL (the origin rule of get_url).
    asio::awaitable<PageResponse> get_page_url(std::string_view absolute_url, std::string_view endpoint_label,
                                               std::size_t page_number);

    const ApiSettings& settings() const noexcept;
    const std::shared_ptr<spdlog::logger>& logger() const noexcept;
    // The URL masked for logs and errors (mask_key with our key).
    std::string masked(std::string_view text) const;

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace marin::sync
