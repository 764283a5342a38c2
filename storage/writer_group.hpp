// The open group's replies and the writer's failure state: a group's calls
// are answered when its transaction commits, or all fail with its error.
#pragma once

#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "marin/storage/errors.hpp"
#include "writer_commands.hpp"

namespace marin::storage::detail {

// Replies held until the group commits.
class HeldReplies {
  public:
    // `error`: the call's own failure (a refusal), delivered only if the group commits.
    template <class T>
    void hold(const Reply<T>& reply, T value, std::exception_ptr error = nullptr) {
        held_.push_back([reply, value = std::move(value), error](const std::exception_ptr& group_error) mutable {
            if (group_error)
                reply->set(group_error, T{});
            else
                reply->set(error, std::move(value));
        });
    }
    // Answers every held reply: with its own result (group_error null: the
    // group committed), or with the group's error.
    void answer(const std::exception_ptr& group_error) {
        auto replies = std::exchange(held_, {});
        for (auto& r : replies) r(group_error);
    }
    std::size_t size() const { return held_.size(); }

  private:
    std::vector<std::function<void(const std::exception_ptr&)>> held_;
};

// The writer's first fatal error: it fails every later call (the writer
// never reconnects). Read freely on the writer thread; the callers' thread
// sees it once published, so that enqueue fails at once instead of feeding
// a broken writer.
class Failure {
  public:
    bool failed() const { return message_.has_value(); }
    const std::string& message() const { return *message_; }
    void set(std::string message) { message_ = std::move(message); }
    void publish() {
        std::lock_guard lock(mutex_);
        published_ = message_;
    }
    // For calls after the failure.
    std::exception_ptr earlier() const {
        return std::make_exception_ptr(StorageError("storage writer failed earlier: " + *message_));
    }
    // For calls of the group it happened in.
    std::exception_ptr now() const { return std::make_exception_ptr(StorageError(*message_)); }
    // On the callers' thread.
    void throw_if_published() const {
        std::lock_guard lock(mutex_);
        if (published_) throw StorageError("storage writer failed earlier: " + *published_);
    }

  private:
    std::optional<std::string> message_;
    mutable std::mutex mutex_;
    std::optional<std::string> published_;
};

}  // namespace marin::storage::detail
