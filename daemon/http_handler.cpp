// The pure part of the listener: request in, response out.
#include <boost/beast/http.hpp>

#include "marin/daemon/health.hpp"
#include "marin/daemon/http_listener.hpp"
#include "marin/run/run_metrics.hpp"
#include "marin/daemon/status_page.hpp"

namespace marin::daemon {

namespace http = boost::beast::http;

namespace {

HttpResponse make_response(const HttpRequest& request, http::status status, std::string_view content_type,
                           std::string body) {
    HttpResponse response{status, request.version()};
    response.set(http::field::server, "marin-sync");
    response.set(http::field::content_type, content_type);
    response.set(http::field::cache_control, "no-store");
    response.keep_alive(request.keep_alive());
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

}  // namespace

HttpResponse handle_request(const HttpRequest& request, const StatusSources& sources) {
    if (request.method() != http::verb::get) {
        HttpResponse response = make_response(request, http::status::method_not_allowed, "text/plain; charset=utf-8",
                                              "only GET is served here\n");
        response.set(http::field::allow, "GET");
        return response;
    }
    // The path without a query string; scrapers sometimes add one.
    std::string_view target(request.target().data(), request.target().size());
    if (const auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);

    HttpResponse response;
    if (target == "/metrics") {
        std::string body = sources.metrics ? sources.metrics->render_prometheus() : std::string();
        if (sources.progress) body += run::render_run_metrics(sources.progress->snapshot());
        response =
            make_response(request, http::status::ok, "text/plain; version=0.0.4; charset=utf-8", std::move(body));
    } else if (target == "/healthz") {
        const run::TimePoint now = sources.now();
        const HealthStatus health =
            evaluate_health(sources.last_success ? sources.last_success() : std::nullopt, now, sources.health_max_age);
        response = make_response(request, health.ok ? http::status::ok : http::status::service_unavailable,
                                 "text/plain; charset=utf-8", health.reason + "\n");
    } else if (target == "/") {
        StatusPageData data;
        data.version = sources.version;
        if (sources.progress) {
            data.progress = sources.progress->snapshot();
        } else {
            data.progress.taken_at = sources.now();
        }
        data.health = evaluate_health(sources.last_success ? sources.last_success() : std::nullopt, sources.now(),
                                      sources.health_max_age);
        if (sources.next_run) data.next_run = sources.next_run();
        response = make_response(request, http::status::ok, "text/html; charset=utf-8", render_status_page(data));
    } else {
        response = make_response(request, http::status::not_found, "text/plain; charset=utf-8",
                                 "not found; try /, /metrics or /healthz\n");
    }
    return response;
}

}  // namespace marin::daemon
