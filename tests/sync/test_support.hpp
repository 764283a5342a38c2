// Shared by the client tests: run a coroutine to its end, settings for a
// fast test, a logger whose output the test can read.
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <sstream>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include "marin/sync/api_settings.hpp"

namespace marin::sync::test {

inline constexpr const char* test_key = "s3cr3t-K3Y";

template <class T>
T run_sync(boost::asio::io_context& ioc, boost::asio::awaitable<T> work) {
    auto future = boost::asio::co_spawn(ioc, std::move(work), boost::asio::use_future);
    ioc.restart();
    ioc.run();
    return future.get();
}

inline ApiSettings fast_settings(const std::string& base_url) {
    ApiSettings s;
    s.base_url = base_url;
    s.key = test_key;
    s.connect_timeout = std::chrono::milliseconds{2000};
    s.read_timeout = std::chrono::milliseconds{2000};
    s.request_timeout = std::chrono::milliseconds{5000};
    s.max_attempts = 4;
    s.backoff_initial = std::chrono::milliseconds{10};
    s.backoff_max = std::chrono::milliseconds{100};
    return s;
}

struct CapturedLog {
    std::ostringstream out;
    std::shared_ptr<spdlog::logger> logger;
    CapturedLog() {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
        logger = std::make_shared<spdlog::logger>("sync-test", sink);
        logger->set_level(spdlog::level::debug);
    }
    std::string text() {
        logger->flush();
        return out.str();
    }
};

inline double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace marin::sync::test
