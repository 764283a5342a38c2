// A small scripted HTTP(S) server on 127.0.0.1 for the client tests (see
// test_server.hpp).
#include "test_server.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>

namespace marin::sync::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct ConcurrencyGuard {
    std::atomic<std::size_t>& now;
    std::atomic<std::size_t>& max;
    explicit ConcurrencyGuard(std::atomic<std::size_t>& n, std::atomic<std::size_t>& m) : now(n), max(m) {
        const auto v = ++now;
        auto seen = max.load();
        while (v > seen && !max.compare_exchange_weak(seen, v)) {}
    }
    ~ConcurrencyGuard() { --now; }
};

template <class Stream>
asio::awaitable<void> serve(Stream& stream, tcp::socket& raw, const TestServer::Handler& handler,
                            std::atomic<std::size_t>& requests, std::atomic<std::size_t>& concurrent,
                            std::atomic<std::size_t>& max_concurrent, std::mutex& mutex,
                            std::vector<SeenRequest>& seen) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::empty_body> parser;
        parser.header_limit(16 * 1024);
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
        (void)n;
        if (ec) co_return;  // the client closed (or gave up on) the connection
        const auto& req = parser.get();
        SeenRequest sr{std::string(req.target()), std::string(req[http::field::host])};
        std::size_t index = 0;
        {
            std::lock_guard lock(mutex);
            index = seen.size();
            seen.push_back(sr);
        }
        ++requests;
        ConcurrencyGuard guard(concurrent, max_concurrent);
        Reply reply = handler(sr, index);
        if (reply.delay.count() > 0) {
            asio::steady_timer timer(co_await asio::this_coro::executor, reply.delay);
            (void)co_await timer.async_wait(tuple_awaitable);
        }
        if (reply.drop_mid_body) {
            std::string head =
                fmt::format("HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                            reply.status, reply.body.size());
            head += reply.body.substr(0, reply.body.size() / 2);
            (void)co_await asio::async_write(stream, asio::buffer(head), tuple_awaitable);
            beast::error_code ignored;
            raw.shutdown(tcp::socket::shutdown_both, ignored);
            raw.close(ignored);
            co_return;
        }
        http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
        res.set(http::field::content_type, "application/json");
        for (const auto& [k, v] : reply.headers) res.set(k, v);
        res.body() = reply.body;
        res.keep_alive(!reply.close && req.keep_alive());
        res.prepare_payload();
        auto [wec, wn] = co_await http::async_write(stream, res, tuple_awaitable);
        (void)wn;
        if (wec || !res.keep_alive() || reply.close_silently) {
            beast::error_code ignored;
            raw.shutdown(tcp::socket::shutdown_both, ignored);
            raw.close(ignored);
            co_return;
        }
    }
}

}  // namespace

TestServer::TestServer(Handler handler, ssl::context* tls) : handler_(std::move(handler)), tls_(tls), acceptor_(ioc_) {
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(
        ioc_,
        [this]() -> asio::awaitable<void> {
            for (;;) {
                auto socket = std::make_shared<tcp::socket>(ioc_);
                auto [ec] = co_await acceptor_.async_accept(*socket, tuple_awaitable);
                if (ec) co_return;
                ++connections_;
                run_connection(std::move(socket));
            }
        },
        asio::detached);
    thread_ = std::thread([this] { ioc_.run(); });
}

void TestServer::run_connection(std::shared_ptr<tcp::socket> socket) {
    asio::co_spawn(
        ioc_,
        [this, socket]() -> asio::awaitable<void> {
            if (tls_ == nullptr) {
                co_await serve(*socket, *socket, handler_, requests_, concurrent_, max_concurrent_, mutex_, seen_);
                co_return;
            }
            ssl::stream<tcp::socket&> stream(*socket, *tls_);
            auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, tuple_awaitable);
            if (ec) co_return;  // e.g. the client refused our certificate
            co_await serve(stream, *socket, handler_, requests_, concurrent_, max_concurrent_, mutex_, seen_);
        },
        asio::detached);
}

TestServer::~TestServer() {
    ioc_.stop();
    thread_.join();
}

std::string TestServer::base_url() const { return fmt::format("{}://127.0.0.1:{}", tls_ ? "https" : "http", port_); }

std::vector<SeenRequest> TestServer::seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
}

TestServer::Handler scripted(std::vector<Reply> replies) {
    if (replies.empty()) throw std::invalid_argument("scripted() needs at least one reply");
    return [replies = std::move(replies)](const SeenRequest&, std::size_t index) {
        return replies[std::min(index, replies.size() - 1)];
    };
}

std::string page_body(int first_id, int count, int page, int nb_pages, const std::string& next) {
    std::string data;
    for (int i = 0; i < count; ++i) {
        data += fmt::format("{}{{\"id\": \"{}\"}}", i == 0 ? "" : ",", first_id + i);
    }
    return fmt::format(
        R"({{"data": [{}], "range": {{"total": {}, "limit": 300, "nb_pages": {}, "page": {}, "results": {}, "next": {}}}}})",
        data, nb_pages * count, nb_pages, page, count, next.empty() ? std::string("null") : "\"" + next + "\"");
}

namespace {

void run(const std::string& command) {
    const auto full = command + " >/dev/null 2>&1";
    if (std::system(full.c_str()) != 0) throw std::runtime_error("test PKI: command failed: " + command);
}

}  // namespace

TestPki::TestPki() {
    char pattern[] = "/tmp/marin-sync-pki-XXXXXX";
    if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir = pattern;
    ca_cert = dir + "/ca.pem";
    server_cert = dir + "/server.pem";
    server_key = dir + "/server.key";
    wrong_host_cert = dir + "/wrong.pem";
    wrong_host_key = dir + "/wrong.key";
    rogue_cert = dir + "/rogue.pem";
    rogue_key = dir + "/rogue.key";
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    run(
        fmt::format("openssl req -x509 {} -keyout {}/ca.key -out {} -days 2 -subj /CN=marin-test-ca "
                    "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign",
                    ec, dir, ca_cert));
    const auto leaf = [&](const std::string& name, const std::string& san, const std::string& cert,
                          const std::string& key) {
        run(fmt::format("openssl req {} -keyout {} -out {}/{}.csr -subj /CN={}", ec, key, dir, name, name));
        std::FILE* f = std::fopen((dir + "/" + name + ".ext").c_str(), "w");
        std::fprintf(f, "subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n", san.c_str());
        std::fclose(f);
        run(
            fmt::format("openssl x509 -req -in {0}/{1}.csr -CA {2} -CAkey {0}/ca.key -CAcreateserial -out {3} "
                        "-days 2 -extfile {0}/{1}.ext",
                        dir, name, ca_cert, cert));
    };
    leaf("server", "DNS:localhost,IP:127.0.0.1", server_cert, server_key);
    leaf("wrong", "DNS:other.example", wrong_host_cert, wrong_host_key);
    run(
        fmt::format("openssl req -x509 {} -keyout {} -out {} -days 2 -subj /CN=127.0.0.1 "
                    "-addext subjectAltName=IP:127.0.0.1",
                    ec, rogue_key, rogue_cert));
}

TestPki::~TestPki() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

std::unique_ptr<ssl::context> server_tls(const std::string& cert, const std::string& key) {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3);
    ctx->use_certificate_chain_file(cert);
    ctx->use_private_key_file(key, ssl::context::pem);
    return ctx;
}

}  // namespace marin::sync::test
