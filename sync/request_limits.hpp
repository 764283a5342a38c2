// The in-flight bound and the request-rate budget shared by every coroutine
// using one ApiClient (private to marin_sync). Single-threaded: all calls
// happen on the client's executor.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace marin::sync::detail {

namespace asio = boost::asio;

// A counting semaphore for coroutines. Asio 1.81 has none: each waiter parks
// on a steady_timer that never expires by itself; release() hands its permit
// straight to the first waiter (FIFO) by cancelling that timer. The waiter's
// cancellation slot (a stop) ends its wait too.
class AsyncSemaphore {
  public:
    AsyncSemaphore(asio::any_io_executor executor, std::size_t permits)
        : executor_(std::move(executor)), available_(std::max<std::size_t>(permits, 1)) {}

    // True: a permit is held (give it back with release()). False: the
    // caller was cancelled, before or while waiting.
    asio::awaitable<bool> acquire() {
        if (available_ > 0 && waiters_.empty()) {
            --available_;
            co_return true;
        }
        // Not queued when already cancelled: the co_await below could throw,
        // and a queued waiter nobody awaits would swallow a permit.
        auto cancel = co_await asio::this_coro::cancellation_state;
        if (cancel.cancelled() != asio::cancellation_type::none) co_return false;
        auto waiter = std::make_shared<Waiter>(executor_);
        waiters_.push_back(waiter);
        (void)co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (!waiter->granted) {
            std::erase(waiters_, waiter);  // still queued if woken by anything but release()
        }
        co_return waiter->granted;
    }

    void release() {
        if (!waiters_.empty()) {
            auto next = std::move(waiters_.front());
            waiters_.pop_front();
            next->granted = true;
            next->timer.cancel();
        } else {
            ++available_;
        }
    }

    std::size_t waiting() const noexcept { return waiters_.size(); }

  private:
    struct Waiter {
        explicit Waiter(const asio::any_io_executor& ex) : timer(ex, asio::steady_timer::time_point::max()) {}
        asio::steady_timer timer;
        bool granted = false;
    };

    asio::any_io_executor executor_;
    std::size_t available_;
    std::deque<std::shared_ptr<Waiter>> waiters_;
};

// The holder of one permit; gives it back when it goes out of scope.
class Permit {
  public:
    Permit() = default;
    explicit Permit(AsyncSemaphore& sem) : sem_(&sem) {}
    Permit(Permit&& other) noexcept : sem_(std::exchange(other.sem_, nullptr)) {}
    Permit& operator=(Permit&& other) noexcept {
        if (this != &other) {
            release();
            sem_ = std::exchange(other.sem_, nullptr);
        }
        return *this;
    }
    ~Permit() { release(); }
    void release() {
        if (sem_ != nullptr) std::exchange(sem_, nullptr)->release();
    }

  private:
    AsyncSemaphore* sem_ = nullptr;
};

// Request starts spaced 1/rate apart; reserve() hands out the next start
// time. A rate of 0 means no budget.
class RateBudget {
  public:
    using clock = std::chrono::steady_clock;

    explicit RateBudget(double per_second) {
        if (per_second > 0) {
            interval_ = std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(1.0 / per_second));
        }
    }

    bool limited() const noexcept { return interval_.count() > 0; }

    clock::time_point reserve() {
        const auto now = clock::now();
        if (!limited()) return now;
        const auto slot = std::max(now, next_);
        next_ = slot + interval_;
        return slot;
    }

  private:
    clock::duration interval_{0};
    clock::time_point next_{};
};

}  // namespace marin::sync::detail
