// A small HTTP(S) server on 127.0.0.1 (port 0) for the client tests: every
// request is answered by a script, on the server's own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

namespace marin::sync::test {

struct Reply {
    Reply() = default;
    Reply(unsigned status_, std::string body_) : status(status_), body(std::move(body_)) {}

    unsigned status = 200;
    std::string body = "{}";
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::milliseconds delay{0};  // before answering
    bool drop_mid_body = false;          // send the header and half the body, then close
    bool close = false;                  // answer "Connection: close" and close
    bool close_silently = false;         // answer as keep-alive, then close anyway
};

struct SeenRequest {
    std::string target;  // as received, key included
    std::string host;    // Host header
};

class TestServer {
  public:
    // Called on the server thread with the request and its 0-based index.
    using Handler = std::function<Reply(const SeenRequest&, std::size_t index)>;

    // tls: the server's context (certificate loaded), or nullptr for plain HTTP.
    explicit TestServer(Handler handler, boost::asio::ssl::context* tls = nullptr);
    ~TestServer();
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    unsigned short port() const { return port_; }
    // "http://127.0.0.1:PORT" (or https).
    std::string base_url() const;

    std::size_t requests() const { return requests_.load(); }
    std::size_t connections() const { return connections_.load(); }
    // Most requests being answered at the same time.
    std::size_t max_concurrent() const { return max_concurrent_.load(); }
    std::vector<SeenRequest> seen() const;

  private:
    void run_connection(std::shared_ptr<boost::asio::ip::tcp::socket> socket);

    Handler handler_;
    boost::asio::ssl::context* tls_;
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    std::atomic<std::size_t> requests_{0}, connections_{0}, concurrent_{0}, max_concurrent_{0};
    mutable std::mutex mutex_;
    std::vector<SeenRequest> seen_;
    std::thread thread_;
};

// Answers replies[i] to request i, and the last one to every request after.
TestServer::Handler scripted(std::vector<Reply> replies);

// A page body: {"data": [{"id": "first"}, ...], "range": {...}}; next may be
// empty (null).
std::string page_body(int first_id, int count, int page, int nb_pages, const std::string& next);

// A CA and certificates signed by it, made with the openssl CLI in a
// temporary directory (removed by the destructor).
class TestPki {
  public:
    TestPki();
    ~TestPki();
    std::string dir;
    std::string ca_cert;                          // trusted by the client in the tests
    std::string server_cert, server_key;          // for localhost and 127.0.0.1, signed by the CA
    std::string wrong_host_cert, wrong_host_key;  // for other.example only, signed by the CA
    std::string rogue_cert, rogue_key;            // self-signed for 127.0.0.1: not under the CA
};

std::unique_ptr<boost::asio::ssl::context> server_tls(const std::string& cert, const std::string& key);

}  // namespace marin::sync::test
