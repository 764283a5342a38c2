// A single result handed from the writer thread to an awaiting coroutine on
// another thread: the writer calls set() once; the caller awaits async_wait().
// Whichever comes second posts the completion to the caller's executor
// (tracked as outstanding work while it waits, so the caller's io_context
// does not run out of work meanwhile).
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace marin::storage::detail {

template <class T>
class OneShot {
  public:
    void set(std::exception_ptr error, T value) {
        std::unique_ptr<Waiter> waiter;
        {
            std::lock_guard lock(mutex_);
            if (!waiter_) {
                result_.emplace(std::move(error), std::move(value));
                return;
            }
            waiter = std::move(waiter_);
        }
        waiter->complete(std::move(error), std::move(value));
    }

    template <class Token>
    auto async_wait(Token&& token) {
        return boost::asio::async_initiate<Token, void(std::exception_ptr, T)>(
            [this](auto handler) {
                auto waiter = std::make_unique<WaiterFor<decltype(handler)>>(std::move(handler));
                std::optional<std::pair<std::exception_ptr, T>> ready;
                {
                    std::lock_guard lock(mutex_);
                    if (result_)
                        ready = std::move(result_);
                    else
                        waiter_ = std::move(waiter);
                }
                if (ready) waiter->complete(std::move(ready->first), std::move(ready->second));
            },
            token);
    }

  private:
    struct Waiter {
        virtual ~Waiter() = default;
        virtual void complete(std::exception_ptr error, T value) = 0;
    };

    template <class Handler>
    struct WaiterFor final : Waiter {
        explicit WaiterFor(Handler h)
            : handler(std::move(h)),
              work(boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                       boost::asio::execution::outstanding_work.tracked)) {}
        void complete(std::exception_ptr error, T value) override {
            boost::asio::post(work, [h = std::move(handler), error = std::move(error),
                                     value = std::move(value)]() mutable { h(error, std::move(value)); });
        }
        Handler handler;
        decltype(boost::asio::prefer(std::declval<boost::asio::associated_executor_t<Handler>>(),
                                     boost::asio::execution::outstanding_work.tracked)) work;
    };

    std::mutex mutex_;
    std::optional<std::pair<std::exception_ptr, T>> result_;
    std::unique_ptr<Waiter> waiter_;
};

}  // namespace marin::storage::detail
