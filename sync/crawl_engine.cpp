// The crawl engine's public face: workers in a task group, and a stop request turned into a cancellation.
#include "marin/sync/crawl_engine.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>

#include <exception>

#include "crawl_state.hpp"

namespace marin::sync {

CrawlEngine::CrawlEngine(ApiClient& api, RowSink& sink, CrawlSettings settings, std::shared_ptr<spdlog::logger> logger,
                         CrawlObserver* observer)
    : state_(std::make_shared<State>(api, sink, settings, std::move(logger), observer)) {}

CrawlEngine::~CrawlEngine() = default;

void CrawlEngine::request_stop() {
    state_->stop_requested = true;
    std::lock_guard guard(state_->executor_mutex);
    if (!state_->executor) return;  // run() has not started (it sees the flag) or has ended
    asio::post(*state_->executor, [weak = std::weak_ptr<State>(state_)] {
        if (auto state = weak.lock()) state->stop();
    });
}

asio::awaitable<CrawlReport> CrawlEngine::run() {
    auto& s = *state_;
    auto executor = co_await asio::this_coro::executor;
    {
        std::lock_guard guard(s.executor_mutex);
        s.executor = executor;
    }
    s.wakeup = std::make_unique<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
    s.workers = std::make_unique<detail::TaskGroup>(executor);
    if (s.stop_requested) s.stop();

    // Top-level listings; the rest is discovered from them.
    for (auto kind : model::top_level_listings()) s.enqueue(s.make_listing(kind, Listing{}));

    // run() returns only after every worker ended, so none outlives the
    // state it uses.
    const unsigned workers = std::max(1u, s.settings.concurrent_listings);
    for (unsigned i = 0; i < workers; ++i) {
        s.workers->spawn(s.worker(), [&s](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                s.abort(std::string("crawl worker failed: ") + ex.what());
            }
        });
    }
    co_await s.workers->join();
    {
        std::lock_guard guard(s.executor_mutex);
        s.executor.reset();
    }

    if (s.stop_requested) s.report.interrupted = true;
    try {
        co_await s.sink.flush();
    } catch (const std::exception& e) {
        if (s.report.fatal_error.empty()) s.report.fatal_error = std::string("storing rows failed: ") + e.what();
    }
    co_return std::move(s.report);
}

}  // namespace marin::sync
