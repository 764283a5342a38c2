// The API client's public face: targets on the origin, to the retrying request; pages come back parsed.
#include "marin/sync/api_client.hpp"

#include <optional>

#include <fmt/format.h>

#include "connection_pool.hpp"
#include "origin.hpp"
#include "retrying_request.hpp"

namespace marin::sync {

struct ApiClient::Impl {
    Impl(asio::any_io_executor executor, ApiSettings s, asio::ssl::context& tls, std::shared_ptr<spdlog::logger> logger,
         RequestObserver* observer)
        : settings(std::move(s)),
          log(std::move(logger)),
          targets(detail::parse_origin(settings.base_url), settings.key),
          pool(executor, settings, tls, targets.origin(), log),
          requests(executor, settings, targets, pool, observer, log) {
        if (!log) throw std::invalid_argument("ApiClient needs a logger");
        if (targets.origin().tls && !settings.tls_verify) {
            log->warn("TLS certificate verification is OFF for {}: the API's identity is not checked",
                      targets.origin().prefix());
        }
    }

    ApiSettings settings;
    std::shared_ptr<spdlog::logger> log;
    detail::Targets targets;
    detail::ConnectionPool pool;
    detail::RetryingRequests requests;
};

namespace {

// A body check that keeps the page it parsed.
BodyCheck page_check(std::optional<Page>& parsed, std::size_t page_number) {
    return [&parsed, page_number](std::string_view body) -> std::string {
        try {
            parsed = parse_page(body);
            return {};
        } catch (const ApiError& e) {
            parsed.reset();
            return fmt::format("page {}: {}", page_number, e.what());
        }
    };
}

PageResponse page_of(ApiResponse response, std::optional<Page>& parsed, const std::string& shown,
                     const std::string& label, std::size_t page_number) {
    if (!parsed) {  // the client returns checked bodies only
        throw ApiError(ApiError::Kind::protocol, response.status, label,
                       fmt::format("GET {} ({}), page {}: no page parsed", shown, label, page_number));
    }
    return PageResponse{std::move(*parsed), response.status, response.attempts};
}

// One page's request: the body is parsed inside the request, so that a 200
// that is not a page is retried like a 503. Arguments by value: the
// coroutine's frame owns them.
asio::awaitable<PageResponse> request_page(std::shared_ptr<ApiClient::Impl> impl, std::string target, std::string shown,
                                           std::string label, std::size_t page_number) {
    std::optional<Page> parsed;
    auto check = page_check(parsed, page_number);
    auto response = co_await impl->requests.get(std::move(target), label, std::move(check));
    co_return page_of(std::move(response), parsed, shown, label, page_number);
}

}  // namespace

ApiClient::ApiClient(asio::any_io_executor executor, ApiSettings settings, asio::ssl::context& tls,
                     std::shared_ptr<spdlog::logger> logger, RequestObserver* observer)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(settings), tls, std::move(logger), observer)) {}

ApiClient::~ApiClient() = default;

asio::awaitable<ApiResponse> ApiClient::get(std::string_view path, QueryParams query, std::string_view endpoint_label,
                                            BodyCheck check) {
    auto impl = impl_;  // in-flight requests keep the state alive
    auto target = impl->targets.for_path(path, query);
    // Named locals only (docs/design.md, "GCC 12 and coroutine frames").
    std::string label(endpoint_label);
    co_return co_await impl->requests.get(std::move(target), std::move(label), std::move(check));
}

asio::awaitable<ApiResponse> ApiClient::get_url(std::string_view absolute_url, std::string_view endpoint_label,
                                                BodyCheck check) {
    auto impl = impl_;
    auto target = impl->targets.for_url(absolute_url, endpoint_label);
    std::string label(endpoint_label);
    co_return co_await impl->requests.get(std::move(target), std::move(label), std::move(check));
}

asio::awaitable<PageResponse> ApiClient::get_page(std::string_view path, QueryParams query,
                                                  std::string_view endpoint_label, std::size_t page_number) {
    auto target = impl_->targets.for_path(path, query);
    auto shown = masked(path);
    std::string label(endpoint_label);
    co_return co_await request_page(impl_, std::move(target), std::move(shown), std::move(label), page_number);
}

asio::awaitable<PageResponse> ApiClient::get_page_url(std::string_view absolute_url, std::string_view endpoint_label,
                                                      std::size_t page_number) {
    auto target = impl_->targets.for_url(absolute_url, endpoint_label);
    auto shown = masked(absolute_url);
    std::string label(endpoint_label);
    co_return co_await request_page(impl_, std::move(target), std::move(shown), std::move(label), page_number);
}

const ApiSettings& ApiClient::settings() const noexcept { return impl_->settings; }

const std::shared_ptr<spdlog::logger>& ApiClient::logger() const noexcept { return impl_->log; }

std::string ApiClient::masked(std::string_view text) const { return impl_->targets.masked(text); }

}  // namespace marin::sync
