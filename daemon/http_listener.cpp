// The I/O part of the listener: one coroutine accepting, one per connection.
#include "marin/daemon/http_listener.hpp"

#include <exception>
#include <list>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

namespace marin::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpListener::State {
    StatusSources sources;
    std::shared_ptr<spdlog::logger> logger;
    HttpListenerLimits limits;
    std::optional<tcp::acceptor> acceptor;
    std::optional<tcp::endpoint> endpoint;
    // Open connections, oldest first (all on the io_context's one thread).
    // `waiting`: the client has yet to send its next request, so dropping it
    // loses no answer; `stream` lives in the connection's coroutine frame.
    struct Open {
        beast::tcp_stream* stream = nullptr;
        bool waiting = true;
    };
    std::list<Open> open;
    bool stopped = false;
};

namespace {

using State = HttpListener::State;
constexpr auto tuple_token = asio::as_tuple(asio::use_awaitable);

// Lists the open connection for as long as the session lives.
struct ConnectionSlot {
    ConnectionSlot(State& s, beast::tcp_stream& stream)
        : state(s), entry(state.open.insert(state.open.end(), State::Open{&stream, true})) {}
    ~ConnectionSlot() { state.open.erase(entry); }
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;
    void set_waiting(bool waiting) { entry->waiting = waiting; }
    State& state;
    std::list<State::Open>::iterator entry;
};

// Closes the oldest connection still waiting for its request, to make room
// for a new one; false when every open connection is busy answering.
bool drop_oldest_waiting(State& state) {
    for (auto& open : state.open) {
        if (!open.waiting) continue;
        open.waiting = false;  // not picked twice while its coroutine unwinds
        open.stream->close();  // its pending read ends with operation_aborted
        state.logger->debug("http: {} connections open: dropped the oldest one waiting for a request",
                            state.open.size());
        return true;
    }
    return false;
}

// Connections not yet dropped (a dropped one leaves the list once its
// coroutine has unwound, on the next turn of the io_context).
std::size_t live_connections(const State& state) {
    std::size_t n = 0;
    for (const auto& open : state.open)
        if (open.stream->socket().is_open()) ++n;
    return n;
}

HttpResponse plain_error(unsigned version, http::status status, std::string_view text) {
    HttpResponse response{status, version};
    response.set(http::field::server, "marin-sync");
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    response.keep_alive(false);
    response.body() = std::string(text);
    response.prepare_payload();
    return response;
}

asio::awaitable<void> serve_connection(std::shared_ptr<State> state, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    ConnectionSlot slot(*state, stream);
    // Bounds what one client can make us buffer (headers + body + one pipelined request).
    beast::flat_buffer buffer(2 * (state->limits.header_limit + state->limits.body_limit));
    for (;;) {
        http::request_parser<http::string_body> parser;  // fresh per request: limits reset
        parser.body_limit(state->limits.body_limit);
        parser.header_limit(state->limits.header_limit);
        slot.set_waiting(true);
        stream.expires_after(state->limits.request_timeout);
        auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, tuple_token);
        (void)read_bytes;
        slot.set_waiting(false);
        if (read_error == asio::error::operation_aborted) break;  // dropped for a newer client
        if (read_error == http::error::end_of_stream) break;
        if (read_error == http::error::body_limit || read_error == http::error::header_limit ||
            read_error == http::error::buffer_overflow) {
            HttpResponse response = plain_error(11, http::status::payload_too_large, "request too large\n");
            stream.expires_after(state->limits.io_timeout);
            co_await http::async_write(stream, response, tuple_token);
            break;
        }
        if (read_error) {
            // Timeouts, resets and malformed requests: the client's problem, not ours.
            state->logger->debug("http: read from client: {}", read_error.message());
            break;
        }
        HttpResponse response;
        try {
            response = handle_request(parser.get(), state->sources);
        } catch (const std::exception& e) {
            state->logger->error("http: answering {}: {}",
                                 std::string_view(parser.get().target().data(), parser.get().target().size()),
                                 e.what());
            response = plain_error(parser.get().version(), http::status::internal_server_error, "internal error\n");
        }
        stream.expires_after(state->limits.io_timeout);
        auto [write_error, written] = co_await http::async_write(stream, response, tuple_token);
        (void)written;
        if (write_error || !response.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> accept_connections(std::shared_ptr<State> state) {
    auto executor = co_await asio::this_coro::executor;
    while (!state->stopped && state->acceptor && state->acceptor->is_open()) {
        auto [error, socket] = co_await state->acceptor->async_accept(tuple_token);
        if (error == asio::error::operation_aborted || state->stopped) co_return;
        if (error) {
            // E.g. out of file descriptors: say so, breathe, go on.
            state->logger->warn("http: accept: {}", error.message());
            asio::steady_timer pause(executor, std::chrono::milliseconds(200));
            co_await pause.async_wait(tuple_token);
            continue;
        }
        if (live_connections(*state) >= state->limits.max_connections && !drop_oldest_waiting(*state)) {
            beast::error_code ignored;
            socket.close(ignored);
            continue;
        }
        asio::co_spawn(executor, serve_connection(state, std::move(socket)), [state](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                state->logger->error("http: connection: {}", ex.what());
            }
        });
    }
}

// "host:port" or "[v6]:port".
std::pair<std::string, std::string> split_address(std::string_view address) {
    const auto colon = address.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == address.size()) {
        throw std::runtime_error(fmt::format("listen address \"{}\": expected host:port", address));
    }
    std::string_view host = address.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return {std::string(host), std::string(address.substr(colon + 1))};
}

}  // namespace

HttpListener::HttpListener(asio::io_context& io, StatusSources sources, std::shared_ptr<spdlog::logger> logger,
                           HttpListenerLimits limits)
    : io_(io), state_(std::make_shared<State>()) {
    state_->sources = std::move(sources);
    state_->logger = std::move(logger);
    state_->limits = limits;
}

HttpListener::~HttpListener() { stop(); }

bool HttpListener::listen(std::string_view address) {
    if (address.empty()) return false;
    const auto [host, port] = split_address(address);
    try {
        tcp::resolver resolver(io_);
        const auto results = resolver.resolve(host, port, tcp::resolver::numeric_service | tcp::resolver::passive);
        if (results.empty()) throw std::runtime_error("no address");
        const tcp::endpoint wanted = results.begin()->endpoint();
        tcp::acceptor acceptor(io_);
        acceptor.open(wanted.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(wanted);
        acceptor.listen(asio::socket_base::max_listen_connections);
        state_->endpoint = acceptor.local_endpoint();
        state_->acceptor.emplace(std::move(acceptor));
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error(fmt::format("cannot listen on \"{}\": {}", address, e.code().message()));
    }
    state_->stopped = false;
    auto state = state_;
    asio::co_spawn(io_, accept_connections(state_), [state](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            state->logger->error("http: listener stopped: {}", ex.what());
        }
    });
    const tcp::endpoint& ep = *state_->endpoint;
    state_->logger->info("http: listening on {}:{} (/, /metrics, /healthz)", ep.address().to_string(), ep.port());
    return true;
}

std::optional<tcp::endpoint> HttpListener::local_endpoint() const { return state_->endpoint; }

void HttpListener::stop() {
    state_->stopped = true;
    if (state_->acceptor && state_->acceptor->is_open()) {
        beast::error_code ignored;
        state_->acceptor->close(ignored);
    }
}

}  // namespace marin::daemon
